import type { Localized } from '../i18n.js';

/**
 * What the home-visit conversation says, in both languages. `{name}` placeholders are
 * filled for the text and, for codes and phone numbers, with digit-by-digit SSML for speech.
 */
export const VISIT_TEXT = {
  intro: {
    'zh-CN': '好的，来不了法院也没关系，法院可以派工作人员到您家里帮您立案。我先问几个简单的问题。',
    'en-US': 'That is all right. If you cannot come to the court, court staff can come to your home to take your complaint. First, a few short questions.',
  },
  askIdNumber: {
    'zh-CN': '年满70岁的老人可以直接预约上门。请说您的身份证号码，我看一下年龄。不方便说，可以说“跳过”。',
    'en-US': 'People aged 70 or over can book a visit straight away. Please say your ID number so I can see your age. If you would rather not, say "skip".',
  },
  ageEligible: {
    'zh-CN': '您已经满70岁了，可以预约上门。',
    'en-US': 'You are 70 or over, so you can book a home visit.',
  },
  askReason: {
    'zh-CN': '请问是什么情况让您来不了法院？请说序号或直接说。',
    'en-US': 'What keeps you from coming to the court? Say the number or say it in your own words.',
  },
  reviewNote: {
    'zh-CN': '好的。这种情况由工作人员决定能不能上门。我们先帮您约上时间，工作人员看过以后会打电话告诉您。',
    'en-US': 'All right. In this case a clerk decides whether the court can visit. We will book a time now, and a clerk will call you after looking at it.',
  },
  askAddress: {
    'zh-CN': '请说上门的详细地址，要有区、街道或镇，还有门牌号。',
    'en-US': 'Please say the full address for the visit: the district, the street or town, and the house number.',
  },
  addressUnknown: {
    'zh-CN': '我听不出这个地址在哪个区。请连同区和街道或镇一起再说一遍，比如“{example}……”。',
    'en-US': 'I cannot tell which district this address is in. Please say it again with the district and the street or town, for example "{example} …".',
  },
  outsideArea: {
    'zh-CN': '这个地址不在本院上门服务的范围内。请联系{court}。{phone}',
    'en-US': 'This address is outside the area our court visits. Please contact {court}.{phone}',
  },
  outsidePhone: {
    'zh-CN': '电话是{phone}。',
    'en-US': ' Their phone number is {phone}.',
  },
  askLandmark: {
    'zh-CN': '附近有什么好找的地方吗？比如超市、学校、小区大门。没有可以说“跳过”。',
    'en-US': 'Is there something near you that is easy to find, such as a shop, a school or the gate of your estate? If not, say "skip".',
  },
  askPhone: {
    'zh-CN': '请说一个能找到您的电话号码，工作人员上门前会先打电话。',
    'en-US': 'Please say a phone number where we can reach you. The staff will call before they come.',
  },
  confirmPhone: {
    'zh-CN': '我念一遍电话号码：{phone}。对吗？',
    'en-US': 'Let me read the number back: {phone}. Is that right?',
  },
  phoneAgain: {
    'zh-CN': '好的，请再说一遍电话号码，一位一位地说。',
    'en-US': 'All right, please say the phone number again, one digit at a time.',
  },
  offerSlots: {
    'zh-CN': '可以上门的最近时间有：{list}。请说您要第几个。都不合适，请说“更晚”。',
    'en-US': 'The next times we can visit are: {list}. Please say which one you want. If none suits you, say "later".',
  },
  slotTaken: {
    'zh-CN': '刚才那个时间已经被别人约走了，真抱歉。',
    'en-US': 'I am sorry, someone else has just taken that time.',
  },
  noSlots: {
    'zh-CN': '最近几周上门的时间都约满了。请拨打{clerkPhone}，工作人员会帮您安排。',
    'en-US': 'All visit times in the next few weeks are taken. Please call {clerkPhone} and a clerk will arrange a visit with you.',
  },
  booked: {
    'zh-CN': '约好了：{when}，工作人员会到您家。您的上门预约码是{code}。要取消或改时间，请说“取消上门”或“改时间”，再说这个预约码。',
    'en-US': 'Your visit is booked: {when}, staff will come to your home. Your visit code is {code}. To cancel or change it, say "cancel my visit" or "change my visit" and then this code.',
  },
  bookedReview: {
    'zh-CN': '工作人员看过以后会打电话告诉您能不能上门。',
    'en-US': 'A clerk will call you to say whether the court can visit.',
  },
  bookedDraft: {
    'zh-CN': '您已经说的起诉状内容会一起交给上门的工作人员，见面时可以接着写。',
    'en-US': 'What you have told me for your complaint goes to the visiting staff, so you can carry on with it at the visit.',
  },
  askCode: {
    'zh-CN': '请说您的上门预约码，是6位数字。',
    'en-US': 'Please say your visit code. It has 6 digits.',
  },
  codeInvalid: {
    'zh-CN': '预约码是6位数字，请一位一位地说。',
    'en-US': 'The visit code has 6 digits. Please say them one at a time.',
  },
  codeNotFound: {
    'zh-CN': '没有找到预约码{code}的上门预约。请再核对一下，再说一遍。',
    'en-US': 'I found no visit with the code {code}. Please check it and say it again.',
  },
  codeLocked: {
    'zh-CN': '还是没有找到。请拨打{clerkPhone}，工作人员会帮您查。',
    'en-US': 'I still cannot find it. Please call {clerkPhone} and a clerk will look it up for you.',
  },
  askManage: {
    'zh-CN': '找到了，是{when}上门。您要取消，还是改时间？',
    'en-US': 'Found it: the visit is {when}. Do you want to cancel it, or change the time?',
  },
  confirmCancel: {
    'zh-CN': '确定要取消{when}的上门吗？',
    'en-US': 'Are you sure you want to cancel the visit {when}?',
  },
  cancelled: {
    'zh-CN': '已经取消了。以后需要，随时可以再约。',
    'en-US': 'The visit is cancelled. You can book again whenever you need to.',
  },
  notCancelled: {
    'zh-CN': '好的，不取消，上门的时间不变。',
    'en-US': 'All right, nothing is cancelled; the visit stays as it was.',
  },
  moved: {
    'zh-CN': '改好了：{when}上门。预约码不变，还是{code}。',
    'en-US': 'Changed: the visit is now {when}. Your visit code stays the same: {code}.',
  },
  help: {
    'zh-CN': '这是在预约法院工作人员上门立案。',
    'en-US': 'You are booking a home visit by court staff.',
  },
  stepNoSkip: {
    'zh-CN': '这一项上门需要用到，不能跳过。',
    'en-US': 'The visit needs this, so it cannot be skipped.',
  },
} satisfies Record<string, Localized>;

export type VisitTextKey = keyof typeof VISIT_TEXT;

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
