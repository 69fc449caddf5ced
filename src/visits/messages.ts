import type { Localized } from '../i18n.js';

/**
 * The sentences of the home-visit conversation, by key. Their words are data, in
 * dialogs/texts/visits.yaml (both languages, `{name}` placeholders); the loader checks at
 * start-up that every key here is there.
 */
export const VISIT_TEXT_KEYS = [
  'leftFlow',
  'intro',
  'askIdNumber',
  'ageEligible',
  'askReason',
  'reviewNote',
  'askAddress',
  'addressUnknown',
  'outsideArea',
  'outsidePhone',
  'askLandmark',
  'askPhone',
  'confirmPhone',
  'phoneAgain',
  'offerSlots',
  'slotTaken',
  'noSlots',
  'booked',
  'bookedReview',
  'bookedDraft',
  'askCode',
  'codeInvalid',
  'codeNotFound',
  'codeLocked',
  'askManage',
  'confirmCancel',
  'cancelled',
  'notCancelled',
  'moved',
  'help',
  'stepNoSkip',
] as const;

export type VisitTextKey = (typeof VISIT_TEXT_KEYS)[number];

/** The choices of the eligibility question. */
export const REASON_CHOICES = [
  { value: 'disability', title: { 'zh-CN': '残疾', 'en-US': 'A disability' }, synonyms: { 'zh-CN': ['残疾人', '残疾证', '瘫痪', '坐轮椅', '看不见', '听不见'], 'en-US': ['disabled', 'wheelchair', 'blind', 'deaf'] } },
  { value: 'illness', title: { 'zh-CN': '重病', 'en-US': 'A serious illness' }, synonyms: { 'zh-CN': ['生病', '病重', '住院', '卧床', '大病', '重病在身'], 'en-US': ['ill', 'sick', 'illness', 'in hospital', 'bedridden'] } },
  { value: 'military', title: { 'zh-CN': '军人或退役军人', 'en-US': 'Serving or retired military' }, synonyms: { 'zh-CN': ['军人', '退役军人', '老兵', '军属', '部队'], 'en-US': ['soldier', 'veteran', 'military', 'army'] } },
  { value: 'other', title: { 'zh-CN': '其他原因', 'en-US': 'Another reason' }, synonyms: { 'zh-CN': ['其他', '别的', '都不是', '腿脚不好', '年纪大'], 'en-US': ['other', 'something else', 'none of these'] } },
];

export const MANAGE_CHOICES = [
  { value: 'cancel', title: { 'zh-CN': '取消上门', 'en-US': 'Cancel the visit' }, synonyms: { 'zh-CN': ['取消', '不要了', '不用了'], 'en-US': ['cancel', 'cancel it'] } },
  { value: 'move', title: { 'zh-CN': '改时间', 'en-US': 'Change the time' }, synonyms: { 'zh-CN': ['改', '换时间', '改日子', '改期'], 'en-US': ['change', 'move', 'another time', 'reschedule'] } },
];

export const LATER_CHOICE = {
  value: 'later',
  title: { 'zh-CN': '更晚', 'en-US': 'Later' },
  synonyms: { 'zh-CN': ['都不合适', '晚一点', '再晚点', '别的时间', '其他时间'], 'en-US': ['later', 'none of these', 'other times', 'another time'] },
};

/**
 * Words that mean "I cannot come to the court" or ask for a visit, and words that cancel
 * or move one. Checked at any question, in either language.
 */
const BOOK_WORDS = [
  '走不动', '去不了法院', '去不了', '来不了', '上门', '腿脚不好', '腿脚不方便', '行动不便', '出不了门', '下不了楼', '卧床', '到不了法院',
  "can't come", 'cannot come', "can't get to the court", 'cannot get to the court', 'home visit', 'visit me at home', 'come to my home', "can't walk", 'cannot walk',
];
const CANCEL_WORDS = ['取消上门', '取消预约', '不要上门', "cancel my visit", 'cancel the visit', 'cancel visit', 'cancel the home visit'];
const MOVE_WORDS = ['改时间', '改上门', '换个时间', '改预约', '上门改', 'change my visit', 'change the visit', 'move my visit', 'reschedule my visit', 'change visit'];

export type VisitIntent = 'book' | 'cancel' | 'move';

function normal(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[’]/g, "'").replace(/\s+/g, ' ');
}

/** The visit flow an utterance asks for, or null. Long narratives are answers, not requests. */
export function visitIntent(utterance: string): VisitIntent | null {
  if (utterance.length > 40) return null;
  const t = normal(utterance);
  if (CANCEL_WORDS.some((w) => t.includes(w))) return 'cancel';
  if (MOVE_WORDS.some((w) => t.includes(w))) return 'move';
  if (BOOK_WORDS.some((w) => t.includes(w))) return 'book';
  return null;
}
