/*
 * The /chat page: gets a Direct Line token from this server, starts the conversation and
 * renders the official Web Chat (window.WebChat, from /vendor/). Plain browser JavaScript
 * in a file of its own, because the page's CSP allows no inline script.
 */
(function () {
  'use strict';

  var root = document.getElementById('webchat');
  var statusLine = document.getElementById('chat-status');
  var problem = document.getElementById('chat-problem');
  var retry = document.getElementById('chat-retry');
  var viewToggle = document.getElementById('view-toggle');
  var skipLink = document.querySelector('.skip-link');
  if (!root || !statusLine || !problem || !retry || !viewToggle) return;

  var locale = root.getAttribute('data-locale') === 'en-US' ? 'en-US' : 'zh-CN';
  /* The page's CSP admits inline styles only with this nonce; Web Chat puts it on the styles it makes. */
  var nonceMeta = document.querySelector('meta[name="csp-nonce"]');
  var styleNonce = nonceMeta ? nonceMeta.getAttribute('content') || undefined : undefined;
  var store = null;
  var directLine = null;

  /* Chinese text wants a CJK font first; English wants a Latin one first, or a CJK font draws its quotes full-width. */
  var CJK_FONTS = '"Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", "PingFang SC", "Source Han Sans SC"';
  var LATIN_FONTS = '"Segoe UI", "Helvetica Neue", Arial, "Liberation Sans", "DejaVu Sans"';
  var FONT = (locale === 'en-US' ? LATIN_FONTS + ', ' + CJK_FONTS : CJK_FONTS + ', ' + LATIN_FONTS) + ', sans-serif';

  /* Two looks, both WCAG AA or better: the normal one is already large; "large" is larger, black on white. */
  function styleOptions(view) {
    var large = view === 'large';
    var ink = large ? '#000000' : '#1a1a1a';
    var accent = large ? '#000000' : '#0b5cad';
    return {
      primaryFont: FONT,
      accent: accent,
      backgroundColor: '#ffffff',
      subtle: large ? '#222222' : '#4d4d4d',
      notificationText: large ? '#222222' : '#4d4d4d',
      fontSizeSmall: '85%',
      paddingRegular: large ? 14 : 12,
      paddingWide: large ? 24 : 20,

      bubbleBackground: large ? '#ffffff' : '#eef3f9',
      bubbleBorderColor: large ? '#000000' : '#6b7c93',
      bubbleBorderWidth: large ? 3 : 1,
      bubbleBorderRadius: 10,
      bubbleTextColor: ink,
      /* The filer's own words on a light warm colour, so every text Web Chat puts there (a file's size too) stays dark on light. */
      bubbleFromUserBackground: large ? '#ffe680' : '#fff1c2',
      bubbleFromUserBorderColor: large ? '#000000' : '#8a6d00',
      bubbleFromUserBorderWidth: large ? 3 : 1,
      bubbleFromUserBorderRadius: 10,
      bubbleFromUserTextColor: ink,
      bubbleMaxWidth: large ? 760 : 640,
      bubbleMinHeight: large ? 60 : 48,
      bubbleMinWidth: 200,

      /* The bot's choices (suggestedActions) as big buttons that wrap instead of scrolling sideways. */
      suggestedActionLayout: 'flow',
      suggestedActionHeight: large ? 80 : 60,
      suggestedActionBorderRadius: 10,
      suggestedActionBackgroundColor: '#ffffff',
      suggestedActionBorderColor: accent,
      suggestedActionBorderWidth: large ? 4 : 2,
      suggestedActionTextColor: accent,
      suggestedActionBackgroundColorOnHover: large ? '#ffe680' : '#dfeaf7',
      suggestedActionTextColorOnHover: ink,
      suggestedActionBackgroundColorOnActive: large ? '#ffd633' : '#c7daf0',
      suggestedActionTextColorOnActive: ink,
      suggestedActionKeyboardFocusIndicatorBorderColor: '#000000',
      suggestedActionKeyboardFocusIndicatorBorderWidth: 3,

      sendBoxHeight: large ? 80 : 64,
      sendBoxTextColor: ink,
      sendBoxBackground: '#ffffff',
      sendBoxBorderTop: large ? 'solid 4px #000000' : 'solid 2px #6b7c93',
      sendBoxButtonColor: accent,
      sendBoxButtonKeyboardFocusIndicatorBorderColor: '#000000',
      sendBoxButtonKeyboardFocusIndicatorBorderWidth: 3,
      sendBoxPlaceholderColor: large ? '#333333' : '#595959',

      /* Photos of an IOU or a wage slip: the upload (paperclip) button stays visible. */
      hideUploadButton: false,
      uploadAccept: 'image/*,application/pdf',
      uploadMultiple: true,
      /* A chosen photo goes at once: one step fewer than "attach, then press send". */
      sendAttachmentOn: 'attach',

      /* Bot texts are plain; never let markup in them turn into HTML. */
      markdownRenderHTML: false,
      hideScrollToEndButton: false
    };
  }

  function currentView() {
    return document.documentElement.classList.contains('view-large') ? 'large' : 'normal';
  }

  function render() {
    window.WebChat.renderWebChat({
      directLine: directLine,
      store: store,
      locale: locale,
      styleOptions: styleOptions(currentView()),
      nonce: styleNonce,
      /* The page's <main> is the landmark; Web Chat's default (complementary) would sit beside it. */
      role: 'region'
    }, root);
  }

  function showProblem(show) {
    problem.hidden = !show;
    statusLine.hidden = show;
  }

  async function postJson(url, body, token) {
    var headers = { 'content-type': 'application/json' };
    if (token) headers.authorization = 'Bearer ' + token;
    var response = await fetch(url, { method: 'POST', headers: headers, body: JSON.stringify(body), credentials: 'same-origin' });
    if (!response.ok) throw new Error(url + ' answered ' + response.status);
    return response.json();
  }

  /*
   * A token for one new conversation, then the conversation itself is started here so the
   * start response decides the transport: the WebSocket when the server offers a streamUrl,
   * polling otherwise. Web Chat then reconnects to that conversation from watermark 0: without a
   * watermark a reconnect (as on the hosted service) carries only what comes next, and the
   * bot's greeting, already said, would never show.
   */
  async function connect() {
    var issued = await postJson('/api/directline/token', { locale: locale });
    var started = await postJson('/v3/directline/conversations', { locale: locale }, issued.token);
    return window.WebChat.createDirectLine({
      domain: location.origin + '/v3/directline',
      token: started.token,
      conversationId: started.conversationId,
      watermark: '0',
      webSocket: Boolean(started.streamUrl)
    });
  }

  async function start() {
    showProblem(false);
    statusLine.hidden = false;
    try {
      if (!window.WebChat) throw new Error('Web Chat did not load');
      directLine = await connect();
      store = window.WebChat.createStore();
      render();
      root.setAttribute('aria-busy', 'false');
      statusLine.hidden = true;
    } catch (error) {
      root.setAttribute('aria-busy', 'false');
      showProblem(true);
      retry.focus();
    }
  }

  function setView(view) {
    document.documentElement.classList.toggle('view-large', view === 'large');
    document.documentElement.classList.toggle('view-normal', view !== 'large');
    viewToggle.setAttribute('aria-pressed', String(view === 'large'));
    /* Keep the choice in the address, so a reload or a language switch keeps it. */
    var url = new URL(location.href);
    if (view === 'large') url.searchParams.set('view', 'large');
    else url.searchParams.delete('view');
    url.searchParams.set('lang', locale);
    history.replaceState(null, '', url.pathname + url.search);
    document.querySelectorAll('.lang-link').forEach(function (link) {
      var target = new URL(link.getAttribute('href'), location.href);
      if (view === 'large') target.searchParams.set('view', 'large');
      else target.searchParams.delete('view');
      link.setAttribute('href', target.pathname + target.search);
    });
    if (directLine) render();
  }

  viewToggle.addEventListener('click', function () {
    setView(currentView() === 'large' ? 'normal' : 'large');
  });

  retry.addEventListener('click', function () {
    start();
  });

  /* The skip link lands on the box where the filer types, not just the chat area. */
  if (skipLink) {
    skipLink.addEventListener('click', function (event) {
      var input = root.querySelector('input[type="text"], textarea');
      if (input) {
        event.preventDefault();
        input.focus();
      }
    });
  }

  root.setAttribute('aria-busy', 'true');
  start();
})();
