import { LOCALES, type Locale, type Localized } from '../i18n.js';

/** How the page looks: `large` is larger text with high contrast, for filers who see poorly. */
export type View = 'normal' | 'large';

/** Every sentence the page itself shows (Web Chat brings its own, localized by `locale`). */
const TEXT = {
  title: { 'zh-CN': '起诉状助手 · 网上对话', 'en-US': 'Complaint assistant · Web chat' },
  heading: { 'zh-CN': '起诉状助手', 'en-US': 'Court complaint assistant' },
  intro: {
    'zh-CN': '我一次问您一个问题，帮您把起诉状写好。可以打字回答，也可以点按钮。',
    'en-US': 'I ask you one question at a time and write your complaint for you. Type your answer, or press a button.',
  },
  skip: { 'zh-CN': '跳到对话', 'en-US': 'Skip to the conversation' },
  languageNav: { 'zh-CN': '选择语言', 'en-US': 'Choose a language' },
  languageNote: {
    'zh-CN': '换语言会重新开始对话。',
    'en-US': 'Changing the language starts a new conversation.',
  },
  viewToggle: { 'zh-CN': '更大的字、更清楚', 'en-US': 'Larger, clearer text' },
  chatHeading: { 'zh-CN': '对话', 'en-US': 'Conversation' },
  connecting: { 'zh-CN': '正在连接，请稍等……', 'en-US': 'Connecting, please wait…' },
  problem: {
    'zh-CN': '现在连不上。请过一会儿再试；着急的话，请打电话 {phone} 找工作人员。',
    'en-US': 'We cannot connect right now. Please try again in a moment. If it is urgent, call {phone} to reach a clerk.',
  },
  retry: { 'zh-CN': '再试一次', 'en-US': 'Try again' },
  help: {
    'zh-CN': '需要人帮忙？在对话里说“转人工”，或者打电话 {phone}。',
    'en-US': 'Need a person? Say "person" in the chat, or call {phone}.',
  },
  privacy: {
    'zh-CN': '用完后请关掉这个页面，别人就看不到您说的话。',
    'en-US': 'When you are done, please close this page so nobody else can see what you said.',
  },
  noscript: {
    'zh-CN': '这个页面要打开浏览器的 JavaScript 才能用。也可以打电话 {phone}。',
    'en-US': 'This page needs JavaScript turned on in the browser. You can also call {phone}.',
  },
} satisfies Record<string, Localized>;

/** The language names as each language's own speakers read them. */
const LANGUAGE_NAMES: Localized = { 'zh-CN': '中文', 'en-US': 'English' };

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c);
}

function t(key: keyof typeof TEXT, locale: Locale, phone = ''): string {
  return escapeHtml(TEXT[key][locale]).replace('{phone}', `<a href="tel:${escapeHtml(phone)}">${escapeHtml(phone)}</a>`);
}

export function chatUrl(locale: Locale, view: View): string {
  return `/chat?lang=${locale}${view === 'large' ? '&view=large' : ''}`;
}

export interface ChatPageOptions {
  locale: Locale;
  view: View;
  clerkPhone: string;
  bundleUrl: string;
  assetsUrl: string;
  /** The CSP nonce Web Chat puts on the <style> elements it makes; a fresh one per response. */
  styleNonce: string;
}

/** The /chat page. No inline script or style: the CSP allows scripts from this origin only. */
export function renderChatPage(o: ChatPageOptions): string {
  const { locale, view, clerkPhone: phone } = o;
  const languageLinks = LOCALES.map((l) => {
    const current = l === locale ? ' aria-current="page"' : '';
    return `<li><a class="lang-link" href="${escapeHtml(chatUrl(l, view))}" lang="${l}" hreflang="${l}" data-locale="${l}"${current}>${escapeHtml(LANGUAGE_NAMES[l])}</a></li>`;
  }).join('');
  return `<!doctype html>
<html lang="${locale}" class="view-${view}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<meta name="csp-nonce" content="${escapeHtml(o.styleNonce)}">
<link rel="icon" href="data:,">
<title>${t('title', locale)}</title>
<link rel="stylesheet" href="${escapeHtml(o.assetsUrl)}/chat.css">
<script src="${escapeHtml(o.bundleUrl)}" defer></script>
<script src="${escapeHtml(o.assetsUrl)}/chat.js" defer></script>
</head>
<body>
<a class="skip-link" href="#webchat">${t('skip', locale)}</a>
<header class="site-header">
  <div class="header-text">
    <h1>${t('heading', locale)}</h1>
    <p class="intro">${t('intro', locale)}</p>
  </div>
  <div class="controls">
    <nav class="languages" aria-label="${t('languageNav', locale)}">
      <ul>${languageLinks}</ul>
      <p class="note">${t('languageNote', locale)}</p>
    </nav>
    <button type="button" id="view-toggle" class="view-toggle" aria-pressed="${view === 'large'}">${t('viewToggle', locale)}</button>
  </div>
</header>
<main id="main" class="chat-main" aria-labelledby="chat-heading">
  <h2 id="chat-heading" class="visually-hidden">${t('chatHeading', locale)}</h2>
  <p id="chat-status" class="chat-status" role="status">${t('connecting', locale)}</p>
  <div id="chat-problem" class="chat-problem" role="alert" hidden>
    <p>${t('problem', locale, phone)}</p>
    <button type="button" id="chat-retry">${t('retry', locale)}</button>
  </div>
  <noscript><p class="chat-problem">${t('noscript', locale, phone)}</p></noscript>
  <div id="webchat" class="webchat" tabindex="-1" data-locale="${locale}"></div>
</main>
<footer class="site-footer">
  <p>${t('help', locale, phone)}</p>
  <p>${t('privacy', locale)}</p>
</footer>
</body>
</html>
`;
}

/** Shown instead of a blank page when the Web Chat bundle was never fetched: both languages, for whoever runs the server. */
export function renderSetupErrorPage(o: { locale: Locale; setupCommand: string; version: string; clerkPhone: string; assetsUrl: string }): string {
  const cmd = `<code>${escapeHtml(o.setupCommand)}</code>`;
  const phone = `<a href="tel:${escapeHtml(o.clerkPhone)}">${escapeHtml(o.clerkPhone)}</a>`;
  const zh = `<section lang="zh-CN">
    <h1>网上对话暂时不能用</h1>
    <p>对不起，这个页面还没有准备好。您可以打电话 ${phone} 找工作人员。</p>
    <p>给管理员：服务器上缺少 Web Chat ${escapeHtml(o.version)} 的程序文件，或者文件不完整。请在项目目录里联网运行 ${cmd}，然后刷新这个页面。</p>
  </section>`;
  const en = `<section lang="en-US">
    <h1>The web chat is not available yet</h1>
    <p>Sorry, this page is not ready. You can call ${phone} to reach a clerk.</p>
    <p>For the administrator: the Web Chat ${escapeHtml(o.version)} bundle is missing or incomplete on the server. Run ${cmd} in the project folder (it needs the internet), then reload this page.</p>
  </section>`;
  const [first, second] = o.locale === 'en-US' ? [en, zh] : [zh, en];
  return `<!doctype html>
<html lang="${o.locale}" class="view-normal">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${o.locale === 'en-US' ? 'Web chat not available · 网上对话暂时不能用' : '网上对话暂时不能用 · Web chat not available'}</title>
<link rel="stylesheet" href="${escapeHtml(o.assetsUrl)}/chat.css">
</head>
<body>
<main class="setup-error">
  ${first}
  ${second}
</main>
</body>
</html>
`;
}
