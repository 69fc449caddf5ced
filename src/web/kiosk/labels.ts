import type { Localized } from '../../i18n.js';

/**
 * The words on the kiosk's own buttons and screens, beside their pictures. What the assistant
 * says lives in dialogs/messages.yaml; these are the labels of the page itself, short and
 * plain, both languages required (a unit test checks).
 */
export const KIOSK_LABELS = {
  title: { 'zh-CN': '起诉状助手', 'en-US': 'Complaint assistant' },
  start: { 'zh-CN': '开始', 'en-US': 'Start' },
  startHint: { 'zh-CN': '请按这里开始，我会一句一句问您。', 'en-US': 'Touch here to start. I will ask you one question at a time.' },
  language: { 'zh-CN': '语言', 'en-US': 'Language' },
  repeat: { 'zh-CN': '再听一遍', 'en-US': 'Repeat' },
  back: { 'zh-CN': '上一步', 'en-US': 'Back' },
  slower: { 'zh-CN': '说慢一点', 'en-US': 'Slower' },
  clerk: { 'zh-CN': '找工作人员', 'en-US': 'Call a clerk' },
  tools: { 'zh-CN': '常用按钮', 'en-US': 'Tools' },
  here: { 'zh-CN': '我在', 'en-US': "I'm here" },
  stillThere: { 'zh-CN': '您还在吗？', 'en-US': 'Are you still there?' },
  skip: { 'zh-CN': '跳过', 'en-US': 'Skip' },
  ok: { 'zh-CN': '确定', 'en-US': 'OK' },
  delete: { 'zh-CN': '删除', 'en-US': 'Delete' },
  speak: { 'zh-CN': '按下说话', 'en-US': 'Speak' },
  listening: { 'zh-CN': '正在听，说完请再按一下', 'en-US': 'Listening. Touch again when you are done' },
  recognizing: { 'zh-CN': '正在听写，请稍等', 'en-US': 'Working it out, please wait' },
  typeHere: { 'zh-CN': '在这里写', 'en-US': 'Type here' },
  typeOrClerk: { 'zh-CN': '不方便写？请按“找工作人员”。', 'en-US': 'Hard to type? Touch "Call a clerk".' },
  keypad: { 'zh-CN': '数字键盘', 'en-US': 'Number pad' },
  entered: { 'zh-CN': '已输入', 'en-US': 'Entered' },
  year: { 'zh-CN': '年', 'en-US': 'Year' },
  month: { 'zh-CN': '月', 'en-US': 'Month' },
  day: { 'zh-CN': '日', 'en-US': 'Day' },
  noDay: { 'zh-CN': '不记得哪一天', 'en-US': 'I do not remember the day' },
  male: { 'zh-CN': '男', 'en-US': 'Male' },
  female: { 'zh-CN': '女', 'en-US': 'Female' },
  progress: { 'zh-CN': '第{step}步，共{total}步', 'en-US': 'Step {step} of {total}' },
  waiting: { 'zh-CN': '请稍等', 'en-US': 'Please wait' },
  print: { 'zh-CN': '打印', 'en-US': 'Print' },
  done: { 'zh-CN': '完成', 'en-US': 'Done' },
  complaint: { 'zh-CN': '写好的起诉状', 'en-US': 'Your finished complaint' },
  resumeCode: { 'zh-CN': '续办码', 'en-US': 'Resume code' },
  keepCode: { 'zh-CN': '请记下这个号码，下次说出或输入它，就能接着办。', 'en-US': 'Please keep this number. Say or type it next time to continue.' },
  connectionLost: { 'zh-CN': '网络断了，正在重新连接，请稍等。', 'en-US': 'The connection was lost. Trying again, please wait.' },
} as const satisfies Record<string, Localized>;

export type KioskLabel = keyof typeof KIOSK_LABELS;
