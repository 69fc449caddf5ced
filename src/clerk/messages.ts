import type { Localized } from '../i18n.js';

/** What the clerk API says when it refuses, in both languages; the console shows the clerk's. */
export const API_MESSAGES = {
  'not-signed-in': { 'zh-CN': '请先登录。', 'en-US': 'Please sign in first.' },
  'bad-credentials': { 'zh-CN': '用户名或密码不对，请再试一次。', 'en-US': 'The username or password is not right. Please try again.' },
  'too-many-attempts': {
    'zh-CN': '登录尝试太多了，请15分钟后再试，或请管理员帮忙。',
    'en-US': 'Too many sign-in attempts. Please try again in 15 minutes, or ask an administrator for help.',
  },
  'csrf': { 'zh-CN': '页面已过期，请刷新后再试。', 'en-US': 'This page has expired. Please reload it and try again.' },
  'admin-only': { 'zh-CN': '只有管理员可以这样做。', 'en-US': 'Only an administrator can do this.' },
  'not-found': { 'zh-CN': '找不到这一项。', 'en-US': 'This item was not found.' },
  'bad-request': { 'zh-CN': '请求的内容不对。', 'en-US': 'The request is not valid.' },
  'json-only': { 'zh-CN': '请求要用 JSON 格式。', 'en-US': 'The request must be JSON.' },
  'taken': {
    'zh-CN': '这位当事人已经由别的工作人员接待，或已经结束。',
    'en-US': 'Another staff member has taken this filer, or the conversation has ended.',
  },
  'not-yours': { 'zh-CN': '请先接待这位当事人。', 'en-US': 'Please accept this filer first.' },
  'no-draft': { 'zh-CN': '这位当事人还没有开始写起诉状。', 'en-US': 'This filer has not started a complaint yet.' },
  'no-case-type': { 'zh-CN': '还没有选案件类型，不能生成起诉状。', 'en-US': 'No case type is chosen yet, so no complaint can be made.' },
  'unknown-field': { 'zh-CN': '这份起诉状没有这一项，或这一项现在不适用。', 'en-US': 'This complaint has no such question, or it does not apply now.' },
  'incomplete': {
    'zh-CN': '还有必填的项目没有填。确定要先生成吗？',
    'en-US': 'Some required questions are not answered yet. Make the complaint anyway?',
  },
  'already-filed': {
    'zh-CN': '这份起诉状已经立案，不能再改了。',
    'en-US': 'This complaint has been filed; it can no longer be changed.',
  },
  'not-finished': { 'zh-CN': '只有已经生成的起诉状才能标记为已立案。', 'en-US': 'Only a finished complaint can be marked as filed.' },
  'not-archivable': {
    'zh-CN': '只有已经生成或已经立案的起诉状才能归档。',
    'en-US': 'Only a finished or filed complaint can be archived.',
  },
  'archived': { 'zh-CN': '这份起诉状已经归档，不能再改了。', 'en-US': 'This complaint is archived; it can no longer be changed.' },
  'empty-message': { 'zh-CN': '请写下要发的话。', 'en-US': 'Please write a message first.' },
  'message-too-long': { 'zh-CN': '这段话太长了，请分几次发。', 'en-US': 'This message is too long. Please send it in parts.' },
  'own-account': { 'zh-CN': '不能停用自己的账号。', 'en-US': 'You cannot disable your own account.' },
  'server-error': { 'zh-CN': '出了点问题，请再试一次。', 'en-US': 'Something went wrong. Please try again.' },
} satisfies Record<string, Localized>;

export type ApiMessageKey = keyof typeof API_MESSAGES;

/** Added to the service's "the clerk has finished this for you": where the complaint is. */
export function completedMessage(locale: 'zh-CN' | 'en-US', documentUrl: string): string {
  return locale === 'zh-CN'
    ? `您的起诉状写好了，可以打开这个链接查看和打印：${documentUrl}`
    : `Your complaint is ready. You can open and print it here: ${documentUrl}`;
}
