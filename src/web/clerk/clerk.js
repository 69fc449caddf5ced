// The clerk console: plain DOM, no framework, no inline script (the page's CSP allows
// scripts from this origin only). Everything a filer said is put on the page as text,
// never as markup.
'use strict';

(() => {
  const TEXT = {
    'zh-CN': {
      title: '书记员工作台', skip: '跳到主要内容', signOut: '退出登录', signInHeading: '工作人员登录',
      username: '用户名', password: '密码', signIn: '登录', navLabel: '工作台',
      tabQueue: '排队的人', tabComplaints: '起诉状', tabAccounts: '账号', tabAudit: '查看记录',
      queueHeading: '排队等待的人', queueEmpty: '现在没有人排队。',
      colPosition: '顺序', colPriority: '优先', colFiler: '当事人', colCase: '案件', colReason: '原因',
      colWaiting: '已等', colAction: '操作', colPlaintiff: '原告', colDefendant: '被告', colStatus: '状态',
      colCode: '续写码', colCreated: '开始时间', colTime: '时间', colAuditAction: '做了什么', colField: '项目',
      chatHeading: '对话', messageLabel: '给当事人发消息', send: '发送', draftHeading: '起诉状内容',
      actionsHeading: '接下来', returnLabel: '交还给助手，从这个问题接着问：', returnButton: '交还给助手',
      returnWhereLeft: '从当事人停下的地方', completeButton: '完成起诉状', backToQueue: '回到队列',
      complaintsHeading: '起诉状', searchQ: '原告姓名或续写码', searchStatus: '状态', statusAll: '全部',
      status_draft: '在写', status_finished: '已生成', status_filed: '已立案', status_archived: '已归档',
      archiveButton: '归档', archivedDone: '已归档。它不再出现在工作列表里，当事人的文书链接已失效。',
      archiveNote: '归档后，这份起诉状不再出现在工作列表里，当事人的文书链接立即失效；保留期满后连同证据一起删除。',
      confirmArchive: '确定要归档这份起诉状吗？\n当事人的文书链接会立即失效，保留期满后记录会被删除。',
      'action_complaint-archived': '归档了起诉状', 'action_complaint-purged': '删除了到期的归档起诉状', 'action_draft-purged': '删除了没写完的旧草稿',
      actor_system: '系统（自动清理）',
      searchFrom: '从哪天', searchTo: '到哪天', search: '查找', prevPage: '上一页', nextPage: '下一页',
      finishButton: '生成起诉状', openDocument: '打开、打印文书', markFiled: '标记为已立案', backToList: '回到列表',
      accountsHeading: '工作人员账号', displayName: '显示的名字', role: '角色', role_clerk: '书记员', role_admin: '管理员',
      addAccount: '添加账号', newPassword: '密码（至少10个字符）', auditHeading: '查看和修改记录',
      auditActor: '工作人员', auditRecord: '记录编号',
      tabVisits: '上门立案', visitsHeading: '上门立案', visitsDate: '哪一天', visitsShow: '查看这一天', visitsToday: '今天',
      visitsExport: '导出这一天（日历文件）', visitsCount: '{date}：共{n}次上门。', visitsNone: '{date}：这一天没有上门安排。',
      teamUnassigned: '还没派小组', teamHeading: '{team}（{n}）', teamEmpty: '这个小组这一天没有安排。', visitAddress: '地址', visitLandmark: '标志物',
      visitPhone: '电话', visitReason: '上门原因', visitStatus: '状态', visitNote: '说明', visitCode: '上门码',
      visitReason_age: '70岁以上老人', visitReason_disability: '残疾', visitReason_illness: '重病',
      visitReason_military: '军人或退役军人', visitReason_other: '其他原因', visitNeedsReview: '待工作人员决定是否上门',
      visitStatus_booked: '已预约', visitStatus_cancelled: '已取消', visitStatus_done: '已办完', visitStatus_failed: '没办成',
      assignLabel: '派哪个小组', assignButton: '派这个小组', assignChoose: '请先选一个小组。', assigned: '已派“{team}”。',
      outcomeLabel: '上门结果', visitOutcome_done: '办完了', visitOutcome_failed: '没办成', visitOutcome_cancelled: '取消上门',
      outcomeReason: '原因（没办成或取消时要写）', outcomeSave: '记下结果', outcomeChoose: '请先选上门结果。',
      reasonNeeded: '请写上原因，下一位同事才知道发生了什么。', outcomeSaved: '已记下：{outcome}。', openDraft: '打开起诉状草稿',
      visitSettingsHeading: '上门日历设置（管理员）', visitSettingsLabel: '日历设置（JSON 格式）', visitSettingsSave: '保存设置',
      visitSettingsReload: '重新读取', settingsSaved: '设置已保存。', settingsNotJson: '格式不对，没有保存：{problem}',
      visitSettingsHelp: '这里是上门的日子、时段、小组、节假日和服务区域。改好后点“保存设置”，服务器会先检查，有错会在下面说明，不会保存。',
      'action_visits-view': '看了上门安排', 'action_visits-export': '导出上门日历', 'action_visit-assign': '派了小组',
      'action_visit-done': '上门办完', 'action_visit-failed': '上门没办成', 'action_visit-cancelled': '取消上门',
      'action_visit-calendar-edit': '改了上门日历', outcome_failed: '（没成功）',
      accept: '接待', open: '打开', view: '查看', takenBy: '{name}正在接待', you: '您',
      minutes: '{n}分钟', lessThanMinute: '不到1分钟', position: '第{n}位',
      priority_urgent: '紧急', priority_elderly: '老年人', priority_disabled: '残疾人', priority_military: '军人', priority_normal: '一般',
      reason_asked: '要求找人', 'reason_repeated-failure': '几次没答上', reason_danger: '可能有危险', 'reason_unsupported-case': '案件类型不支持',
      noName: '（还不知道姓名）', noCase: '（还没选）', filer: '当事人', clerk: '工作人员', bot: '助手',
      live: '正在实时更新。', liveLost: '实时更新断了，正在重新连接……',
      handoffInfo: '语言：{locale}　开始排队：{time}　停在：{field}', none: '无',
      noDraft: '这位当事人还没有开始写起诉状。', missing: '还有{n}项必填的没有填。', complete: '必填的项目都填好了。',
      required: '必填', derived: '从身份证号得出', skipped: '当事人说不知道', notAnswered: '还没有回答',
      current: '现在：', change: '修改', save: '保存', choose: '— 请选择 —', saved: '已保存“{label}”。',
      sent: '已发送。', givenBack: '已交还给助手。', completed: '起诉状已完成，链接已发给当事人。',
      confirmIncomplete: '还有必填的项目没有填：\n{list}\n\n确定要现在生成吗？',
      complaintInfo: '续写码：{code}　状态：{status}　开始：{created}', finished: '起诉状已生成。', filedDone: '已标记为已立案。',
      found: '找到{n}份。', pageInfo: '第{page}页，共{pages}页', active: '可用', disabled: '已停用',
      disable: '停用', enable: '恢复', accountAdded: '已添加账号 {name}。', accountChanged: '已更改账号 {name}。',
      auditFound: '共{n}条。', signedInAs: '{name}（{role}）', signedOut: '已退出登录。',
      locale_zh: '中文', locale_en: '英文', noscript: '这个工作台要打开浏览器的 JavaScript 才能用。',
      action_sign_in: '登录', 'action_sign-in': '登录', 'action_sign-out': '退出', 'action_queue-view': '看了队列',
      'action_handoff-accept': '接待', 'action_handoff-view': '打开了对话', 'action_handoff-message': '发了消息',
      'action_handoff-return': '交还给助手', 'action_handoff-complete': '完成对话', 'action_complaint-search': '查找起诉状',
      'action_complaint-view': '打开了起诉状', 'action_answer-edit': '修改了内容', 'action_complaint-finish': '生成了起诉状',
      'action_complaint-filed': '标记已立案', 'action_document-open': '打开了文书', 'action_account-add': '添加账号',
      'action_account-change': '更改账号', 'action_account-password': '改了密码', 'action_account-remove': '删除账号',
      'action_password-change': '改了自己的密码', outcome_denied: '（被拒绝）', networkError: '连不上服务器，请检查网络后再试。',
    },
    'en-US': {
      title: 'Clerk console', skip: 'Skip to main content', signOut: 'Sign out', signInHeading: 'Staff sign-in',
      username: 'Username', password: 'Password', signIn: 'Sign in', navLabel: 'Console',
      tabQueue: 'Waiting', tabComplaints: 'Complaints', tabAccounts: 'Accounts', tabAudit: 'Audit log',
      queueHeading: 'People waiting', queueEmpty: 'Nobody is waiting now.',
      colPosition: 'Place', colPriority: 'Priority', colFiler: 'Filer', colCase: 'Case', colReason: 'Reason',
      colWaiting: 'Waiting', colAction: 'Action', colPlaintiff: 'Plaintiff', colDefendant: 'Defendant', colStatus: 'Status',
      colCode: 'Resume code', colCreated: 'Started', colTime: 'Time', colAuditAction: 'What', colField: 'Field',
      chatHeading: 'Conversation', messageLabel: 'Message to the filer', send: 'Send', draftHeading: 'The complaint so far',
      actionsHeading: 'Next', returnLabel: 'Give back to the assistant at this question:', returnButton: 'Give back to the assistant',
      returnWhereLeft: 'Where the filer stopped', completeButton: 'Finish complaint', backToQueue: 'Back to the queue',
      complaintsHeading: 'Complaints', searchQ: 'Plaintiff name or resume code', searchStatus: 'Status', statusAll: 'All',
      status_draft: 'Draft', status_finished: 'Finished', status_filed: 'Filed', status_archived: 'Archived',
      archiveButton: 'Archive', archivedDone: 'Archived. It has left the working list and the filer\'s document link no longer works.',
      archiveNote: 'Once archived, the complaint leaves the working list and the filer\'s document link stops working at once; when the retention period ends it is deleted with its evidence.',
      confirmArchive: 'Archive this complaint?\nThe filer\'s document link stops working at once, and the record is deleted when the retention period ends.',
      'action_complaint-archived': 'Archived a complaint', 'action_complaint-purged': 'Deleted an archived complaint (retention)', 'action_draft-purged': 'Deleted an abandoned draft (retention)',
      actor_system: 'System (retention)',
      searchFrom: 'From', searchTo: 'To', search: 'Search', prevPage: 'Previous page', nextPage: 'Next page',
      finishButton: 'Make the complaint', openDocument: 'Open / print document', markFiled: 'Mark as filed', backToList: 'Back to the list',
      accountsHeading: 'Staff accounts', displayName: 'Display name', role: 'Role', role_clerk: 'Clerk', role_admin: 'Admin',
      addAccount: 'Add account', newPassword: 'Password (at least 10 characters)', auditHeading: 'Views and changes',
      auditActor: 'Staff', auditRecord: 'Record id',
      tabVisits: 'Home visits', visitsHeading: 'Home visits', visitsDate: 'Day', visitsShow: 'Show this day', visitsToday: 'Today',
      visitsExport: 'Export the day (iCalendar)', visitsCount: '{date}: {n} visits.', visitsNone: '{date}: no visits on this day.',
      teamUnassigned: 'No team yet', teamHeading: '{team} ({n})', teamEmpty: 'Nothing planned for this team on this day.', visitAddress: 'Address', visitLandmark: 'Landmark',
      visitPhone: 'Phone', visitReason: 'Reason for the visit', visitStatus: 'Status', visitNote: 'Note', visitCode: 'Visit code',
      visitReason_age: 'Aged 70 or over', visitReason_disability: 'Disability', visitReason_illness: 'Serious illness',
      visitReason_military: 'Military or veteran', visitReason_other: 'Other reason', visitNeedsReview: 'A clerk must decide whether to visit',
      visitStatus_booked: 'Booked', visitStatus_cancelled: 'Cancelled', visitStatus_done: 'Done', visitStatus_failed: 'Failed',
      assignLabel: 'Team to send', assignButton: 'Send this team', assignChoose: 'Please choose a team first.', assigned: 'Sent "{team}".',
      outcomeLabel: 'Outcome', visitOutcome_done: 'Done', visitOutcome_failed: 'Failed', visitOutcome_cancelled: 'Cancel the visit',
      outcomeReason: 'Reason (needed if failed or cancelled)', outcomeSave: 'Record the outcome', outcomeChoose: 'Please choose the outcome first.',
      reasonNeeded: 'Please write the reason, so the next colleague knows what happened.', outcomeSaved: 'Recorded: {outcome}.', openDraft: 'Open the draft complaint',
      visitSettingsHeading: 'Visit calendar settings (admins)', visitSettingsLabel: 'Calendar settings (JSON)', visitSettingsSave: 'Save settings',
      visitSettingsReload: 'Load again', settingsSaved: 'Settings saved.', settingsNotJson: 'Not saved, the text is not valid JSON: {problem}',
      visitSettingsHelp: 'The visit days, time slots, teams, holidays and areas served. After a change press "Save settings": the server checks it first and, if something is wrong, says what below and saves nothing.',
      'action_visits-view': 'Viewed home visits', 'action_visits-export': 'Exported the visit calendar', 'action_visit-assign': 'Assigned a team',
      'action_visit-done': 'Visit done', 'action_visit-failed': 'Visit failed', 'action_visit-cancelled': 'Cancelled a visit',
      'action_visit-calendar-edit': 'Edited the visit calendar', outcome_failed: '(failed)',
      accept: 'Accept', open: 'Open', view: 'View', takenBy: 'With {name}', you: 'you',
      minutes: '{n} min', lessThanMinute: 'under 1 min', position: 'No. {n}',
      priority_urgent: 'Urgent', priority_elderly: 'Elderly', priority_disabled: 'Disability', priority_military: 'Military', priority_normal: 'Normal',
      reason_asked: 'Asked for a person', 'reason_repeated-failure': 'Stuck on a question', reason_danger: 'May be in danger', 'reason_unsupported-case': 'Case type not supported',
      noName: '(name not known yet)', noCase: '(not chosen)', filer: 'Filer', clerk: 'Clerk', bot: 'Assistant',
      live: 'Updating live.', liveLost: 'Live updates stopped; reconnecting…',
      handoffInfo: 'Language: {locale}   Queued: {time}   Stopped at: {field}', none: 'none',
      noDraft: 'This filer has not started a complaint yet.', missing: '{n} required answers are still missing.', complete: 'All required answers are given.',
      required: 'required', derived: 'from the ID number', skipped: 'filer did not know', notAnswered: 'not answered yet',
      current: 'Now: ', change: 'Change', save: 'Save', choose: '— choose —', saved: 'Saved "{label}".',
      sent: 'Sent.', givenBack: 'Given back to the assistant.', completed: 'The complaint is finished and the link was sent to the filer.',
      confirmIncomplete: 'These required answers are missing:\n{list}\n\nMake the complaint anyway?',
      complaintInfo: 'Resume code: {code}   Status: {status}   Started: {created}', finished: 'The complaint is made.', filedDone: 'Marked as filed.',
      found: '{n} found.', pageInfo: 'Page {page} of {pages}', active: 'Active', disabled: 'Disabled',
      disable: 'Disable', enable: 'Enable', accountAdded: 'Added the account {name}.', accountChanged: 'Changed the account {name}.',
      auditFound: '{n} entries.', signedInAs: '{name} ({role})', signedOut: 'Signed out.',
      locale_zh: 'Chinese', locale_en: 'English', noscript: 'This console needs JavaScript.',
      'action_sign-in': 'Signed in', 'action_sign-out': 'Signed out', 'action_queue-view': 'Viewed the queue',
      'action_handoff-accept': 'Accepted', 'action_handoff-view': 'Opened a conversation', 'action_handoff-message': 'Sent a message',
      'action_handoff-return': 'Gave back to the assistant', 'action_handoff-complete': 'Finished a conversation', 'action_complaint-search': 'Searched complaints',
      'action_complaint-view': 'Opened a complaint', 'action_answer-edit': 'Changed an answer', 'action_complaint-finish': 'Made a complaint',
      'action_complaint-filed': 'Marked filed', 'action_document-open': 'Opened a document', 'action_account-add': 'Added an account',
      'action_account-change': 'Changed an account', 'action_account-password': 'Set a password', 'action_account-remove': 'Removed an account',
      'action_password-change': 'Changed own password', outcome_denied: '(refused)', networkError: 'The server cannot be reached. Please check the network and try again.',
    },
  };

  const $ = (id) => document.getElementById(id);
  const state = {
    lang: 'zh-CN',
    me: null,
    queue: [],
    handoff: null,
    handoffDraft: null,
    complaint: null,
    complaintsPage: 1,
    auditPage: 1,
    events: null,
    visits: null,
    visitsRequest: 0,
  };

  // ── language ────────────────────────────────────────────────────────────────
  function t(key, vars) {
    const table = TEXT[state.lang];
    let text = table[key] ?? TEXT['zh-CN'][key] ?? key;
    for (const [name, value] of Object.entries(vars ?? {})) text = text.split(`{${name}}`).join(String(value));
    return text;
  }
  /** A value given in both languages by the server. */
  function pick(localized) {
    if (!localized) return '';
    if (typeof localized === 'string') return localized;
    return localized[state.lang] || localized['zh-CN'] || localized['en-US'] || '';
  }

  function applyLanguage() {
    document.documentElement.lang = state.lang;
    document.title = t('title');
    for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
    for (const el of document.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
    for (const button of document.querySelectorAll('.lang-button')) button.setAttribute('aria-pressed', String(button.dataset.lang === state.lang));
    renderWho();
    renderQueue();
    if (state.handoff) renderHandoff();
    if (state.complaint) renderComplaint();
    if (state.visits) renderVisits();
    updateVisitsExport();
  }

  function setLanguage(lang) {
    state.lang = lang === 'en-US' ? 'en-US' : 'zh-CN';
    try {
      localStorage.setItem('clerk.lang', state.lang);
    } catch {
      // Private mode: the choice lasts for this page only.
    }
    applyLanguage();
  }

  // ── helpers ─────────────────────────────────────────────────────────────────
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props ?? {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'className') node.className = value;
      else if (key === 'text') node.textContent = value;
      else if (key === 'onClick') node.addEventListener('click', value);
      else if (key === 'onSubmit') node.addEventListener('submit', value);
      else node.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function announce(text) {
    const announcer = $('announcer');
    announcer.textContent = '';
    // A fresh node so that screen readers read the same sentence twice in a row too.
    setTimeout(() => { announcer.textContent = text; }, 50);
  }

  function time(iso) {
    if (!iso) return '';
    return new Date(iso).toLocaleString(state.lang, { dateStyle: 'short', timeStyle: 'short' });
  }

  function waited(iso) {
    const minutes = Math.floor((Date.now() - Date.parse(iso)) / 60000);
    return minutes < 1 ? t('lessThanMinute') : t('minutes', { n: minutes });
  }

  class ApiError extends Error {
    constructor(status, body) {
      super(pick(body && body.message) || String(status));
      this.status = status;
      this.body = body || {};
    }
  }

  async function api(method, url, body) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET' && state.me) headers['X-CSRF-Token'] = state.me.csrfToken;
    let res;
    try {
      res = await fetch(`/api/clerk${url}`, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw new ApiError(0, { message: { 'zh-CN': TEXT['zh-CN'].networkError, 'en-US': TEXT['en-US'].networkError } });
    }
    const data = res.status === 204 ? null : await res.json().catch(() => null);
    if (res.status === 401 && url !== '/login') {
      signedOut();
      throw new ApiError(401, data);
    }
    if (!res.ok) throw new ApiError(res.status, data);
    return data;
  }

  function showError(target, error) {
    target.textContent = error instanceof ApiError ? error.message : String(error);
  }

  // ── views ───────────────────────────────────────────────────────────────────
  const VIEWS = ['queue', 'handoff', 'complaints', 'complaint', 'visits', 'accounts', 'audit'];
  function show(view, focus = true) {
    for (const name of VIEWS) $(`${name}-view`).hidden = name !== view;
    const tab = view === 'handoff' ? 'queue' : view === 'complaint' ? 'complaints' : view;
    for (const button of document.querySelectorAll('.tab')) {
      if (button.dataset.view === tab) button.setAttribute('aria-current', 'page');
      else button.removeAttribute('aria-current');
    }
    if (focus) $(`${view}-heading`).focus();
  }

  function renderWho() {
    if (!state.me) return;
    $('who-name').textContent = t('signedInAs', { name: state.me.displayName, role: t(`role_${state.me.role}`) });
  }

  function signedIn(me) {
    state.me = me;
    $('sign-in-view').hidden = true;
    $('app-view').hidden = false;
    $('who').hidden = false;
    for (const tab of document.querySelectorAll('.admin-only')) tab.hidden = me.role !== 'admin';
    renderWho();
    connectEvents();
    show('queue');
  }

  function signedOut() {
    state.me = null;
    state.handoff = null;
    state.complaint = null;
    state.visits = null;
    $('visits-teams').replaceChildren();
    $('visit-settings-json').value = '';
    if (state.events) state.events.close();
    state.events = null;
    $('app-view').hidden = true;
    $('who').hidden = true;
    $('sign-in-view').hidden = false;
    $('password').value = '';
    $('sign-in-heading').focus();
  }

  // ── sign-in ─────────────────────────────────────────────────────────────────
  async function onSignIn(event) {
    event.preventDefault();
    const error = $('sign-in-error');
    error.textContent = '';
    const username = $('username').value.trim();
    const password = $('password').value;
    if (!username || !password) {
      error.textContent = pick({ 'zh-CN': '请填写用户名和密码。', 'en-US': 'Please enter your username and password.' });
      return;
    }
    try {
      const me = await api('POST', '/login', { username, password });
      $('password').value = '';
      signedIn(me);
    } catch (e) {
      showError(error, e);
      $('password').focus();
    }
  }

  async function onSignOut() {
    try {
      await api('POST', '/logout', {});
    } catch {
      // Signed out either way: the page forgets the session.
    }
    signedOut();
    announce(t('signedOut'));
  }

  // ── live queue ──────────────────────────────────────────────────────────────
  function connectEvents() {
    if (state.events) state.events.close();
    const source = new EventSource('/api/clerk/events');
    state.events = source;
    source.addEventListener('open', () => { $('live-status').textContent = t('live'); });
    source.addEventListener('error', () => {
      $('live-status').textContent = t('liveLost');
      // A 401 closes the stream for good: find out whether the session ended.
      if (source.readyState === EventSource.CLOSED) api('GET', '/me').then(() => connectEvents(), () => undefined);
    });
    source.addEventListener('queue', (event) => {
      state.queue = JSON.parse(event.data).entries;
      renderQueue();
    });
    source.addEventListener('message', (event) => {
      const data = JSON.parse(event.data);
      if (state.handoff && data.handoffId === state.handoff.id) {
        state.handoff.transcript.push(data.entry);
        appendTranscript(data.entry);
        if (data.entry.from === 'filer') announce(`${t('filer')}: ${data.entry.text}`);
      }
    });
  }

  function priorityBadge(priority) {
    return el('span', { className: `badge badge-${priority}`, text: t(`priority_${priority}`) });
  }

  function renderQueue() {
    const body = $('queue-body');
    if (!body) return;
    body.replaceChildren();
    $('queue-empty').hidden = state.queue.length > 0;
    $('queue-table').hidden = state.queue.length === 0;
    for (const entry of state.queue) {
      if (entry.caseTitle) caseTitles.set(entry.caseType, entry.caseTitle);
      const mine = entry.clerk && state.me && entry.clerk.username === state.me.username;
      let action;
      if (entry.state === 'queued') {
        action = el('button', { type: 'button', className: 'primary', text: t('accept'), onClick: () => accept(entry.id) });
        action.setAttribute('aria-label', `${t('accept')} ${entry.filerName || t('noName')}`);
      } else {
        action = el('button', { type: 'button', text: mine ? t('open') : t('view'), onClick: () => openHandoff(entry.id) });
      }
      body.append(el('tr', { className: entry.priority === 'urgent' ? 'urgent-row' : undefined },
        el('td', { text: entry.position ? t('position', { n: entry.position }) : t('takenBy', { name: mine ? t('you') : entry.clerk?.displayName ?? '' }) }),
        el('td', {}, priorityBadge(entry.priority)),
        el('th', { scope: 'row', text: entry.filerName || t('noName') }),
        el('td', { text: entry.caseType ? caseTitle(entry.caseType) : t('noCase') }),
        el('td', { text: t(`reason_${entry.reason}`) }),
        el('td', { className: 'waiting', 'data-since': entry.createdAt, text: waited(entry.createdAt) }),
        el('td', {}, action)));
    }
  }

  const caseTitles = new Map();
  function caseTitle(caseType) {
    const title = caseTitles.get(caseType);
    return title ? pick(title) : caseType;
  }

  function refreshWaiting() {
    for (const cell of document.querySelectorAll('td.waiting')) cell.textContent = waited(cell.dataset.since);
  }

  // ── one filer ───────────────────────────────────────────────────────────────
  async function accept(id) {
    try {
      const data = await api('POST', `/handoffs/${encodeURIComponent(id)}/accept`, {});
      showHandoff(data);
    } catch (e) {
      announce(e.message);
      $('live-status').textContent = e.message;
    }
  }

  async function openHandoff(id) {
    try {
      showHandoff(await api('GET', `/handoffs/${encodeURIComponent(id)}`));
    } catch (e) {
      $('live-status').textContent = e.message;
    }
  }

  function showHandoff(data) {
    state.handoff = data.handoff;
    state.handoffDraft = data.draft;
    if (data.draft && data.draft.caseType && data.draft.caseTitle) caseTitles.set(data.draft.caseType, data.draft.caseTitle);
    $('handoff-status').textContent = '';
    $('message-error').textContent = '';
    renderHandoff();
    show('handoff');
  }

  function isMine() {
    const h = state.handoff;
    return h && h.state === 'accepted' && h.clerk && state.me && h.clerk.username === state.me.username;
  }

  function fieldLabel(draft, key) {
    const field = draft && draft.fields.find((f) => f.key === key);
    return field ? `${pick(field.section.title)} · ${pick(field.label)}` : key;
  }

  function renderHandoff() {
    const h = state.handoff;
    const draft = state.handoffDraft;
    const name = draft && draft.fields.find((f) => f.fieldId === 'plaintiff.name' && f.value !== undefined);
    $('handoff-heading').textContent = `${name ? name.value : t('noName')}`;
    $('handoff-heading').prepend(priorityBadge(h.priority), ' ');
    $('handoff-info').textContent = t('handoffInfo', {
      locale: h.locale === 'en-US' ? t('locale_en') : t('locale_zh'),
      time: time(h.createdAt),
      field: h.field ? fieldLabel(draft, h.field) : t('none'),
    });
    const transcript = $('transcript');
    transcript.replaceChildren();
    for (const entry of h.transcript) appendTranscript(entry, false);
    const mine = isMine();
    $('message-form').hidden = !mine;
    for (const id of ['return-button', 'complete-button', 'return-field']) $(id).disabled = !mine;
    const select = $('return-field');
    const chosen = select.value;
    select.replaceChildren(el('option', { value: '', text: t('returnWhereLeft') }));
    for (const field of draft ? draft.fields : []) {
      select.append(el('option', { value: field.key, text: `${pick(field.section.title)} · ${pick(field.label)}` }));
    }
    select.value = chosen && draft && draft.fields.some((f) => f.key === chosen) ? chosen : '';
    renderDraft($('handoff-draft'), draft, (updated) => {
      state.handoffDraft = updated;
      renderHandoff();
    });
  }

  function appendTranscript(entry, scroll = true) {
    const who = entry.from === 'clerk' ? (entry.clerkName || t('clerk')) : t(entry.from === 'filer' ? 'filer' : 'bot');
    const item = el('li', { className: `line from-${entry.from}` },
      el('span', { className: 'speaker', text: `${who} · ${time(entry.at)}` }),
      el('span', { className: 'words', text: entry.text }));
    $('transcript').append(item);
    const log = $('transcript-log');
    if (scroll) log.scrollTop = log.scrollHeight;
  }

  async function onSendMessage(event) {
    event.preventDefault();
    const box = $('message-text');
    const text = box.value.trim();
    $('message-error').textContent = '';
    if (!text || !state.handoff) return;
    try {
      await api('POST', `/handoffs/${encodeURIComponent(state.handoff.id)}/messages`, { text });
      box.value = '';
      announce(t('sent'));
    } catch (e) {
      showError($('message-error'), e);
    }
    box.focus();
  }

  async function onGiveBack() {
    const h = state.handoff;
    if (!h) return;
    const field = $('return-field').value;
    try {
      const data = await api('POST', `/handoffs/${encodeURIComponent(h.id)}/return`, field ? { field } : {});
      state.handoff = { ...h, ...data.handoff };
      renderHandoff();
      $('handoff-status').textContent = t('givenBack');
    } catch (e) {
      showError($('handoff-status'), e);
    }
  }

  /** Asks before making a complaint with required answers missing; returns the server's answer. */
  async function finishWithCheck(url) {
    try {
      return await api('POST', url, {});
    } catch (e) {
      if (!(e instanceof ApiError) || e.body.error !== 'incomplete') throw e;
      const draft = state.handoff && url.startsWith('/handoffs') ? state.handoffDraft : state.complaint;
      const list = (e.body.missing || []).map((key) => `· ${fieldLabel(draft, key)}`).join('\n');
      if (!window.confirm(t('confirmIncomplete', { list }))) return null;
      return api('POST', url, { force: true });
    }
  }

  async function onComplete() {
    const h = state.handoff;
    if (!h) return;
    try {
      const data = await finishWithCheck(`/handoffs/${encodeURIComponent(h.id)}/complete`);
      if (!data) return;
      state.handoff = { ...h, ...data.handoff };
      state.handoffDraft = data.draft;
      renderHandoff();
      $('handoff-status').textContent = t('completed');
    } catch (e) {
      showError($('handoff-status'), e);
    }
  }

  // ── the draft's fields, editable ───────────────────────────────────────────────
  let fieldCounter = 0;
  function renderDraft(container, draft, onUpdated) {
    container.replaceChildren();
    if (!draft) {
      container.append(el('p', { className: 'note', text: t('noDraft') }));
      return;
    }
    container.append(el('p', { className: draft.missing.length ? 'note warn' : 'note', text: draft.missing.length ? t('missing', { n: draft.missing.length }) : t('complete') }));
    let section = null;
    let list = null;
    for (const field of draft.fields) {
      const sectionKey = `${field.section.id}#${field.index ?? ''}`;
      if (sectionKey !== section) {
        section = sectionKey;
        container.append(el('h4', { className: 'section-title', text: pick(field.section.title) }));
        list = el('div', { className: 'fields' });
        container.append(list);
      }
      list.append(fieldEditor(container, draft, field, onUpdated));
    }
  }

  function fieldEditor(container, draft, field, onUpdated) {
    fieldCounter += 1;
    const id = `field-${fieldCounter}`;
    const label = pick(field.label);
    const notes = [];
    if (field.required) notes.push(t('required'));
    if (field.derived) notes.push(t('derived'));
    if (field.skipped) notes.push(t('skipped'));
    const current = field.display ? pick(field.display) : t('notAnswered');
    if (draft.status === 'filed' || draft.status === 'archived') {
      // A filed complaint is what the court holds: shown, not editable; an archived one is done with.
      return el('div', { className: 'field' },
        el('p', { className: 'field-name' }, label, notes.length ? el('span', { className: 'field-notes', text: ` (${notes.join(', ')})` }) : null),
        el('p', { className: 'current', text: current }));
    }
    let input;
    if (field.choices) {
      input = el('select', { id, 'aria-describedby': `${id}-now ${id}-error` },
        el('option', { value: '', text: t('choose') }),
        field.choices.map((c) => el('option', { value: c.value, text: pick(c.title) })));
      const selected = field.choices.find((c) => c.value === String(field.value) || (field.type === 'confirm' && (field.value === true ? c.value === 'yes' : field.value === false ? c.value === 'no' : false)));
      if (selected) input.value = selected.value;
    } else {
      input = el('input', { id, type: 'text', autocomplete: 'off', 'aria-describedby': `${id}-now ${id}-error` });
      if (field.value !== undefined) input.value = field.display ? pick(field.display) : String(field.value);
    }
    const error = el('p', { id: `${id}-error`, className: 'error', role: 'alert' });
    const form = el('form', { className: `field${field.value === undefined && field.required && !field.skipped ? ' field-missing' : ''}` },
      el('label', { for: id }, label, notes.length ? el('span', { className: 'field-notes', text: ` (${notes.join(', ')})` }) : null),
      el('p', { id: `${id}-now`, className: 'current', text: `${t('current')}${current}` }),
      el('div', { className: 'field-row' }, input, el('button', { type: 'submit', text: t('save') })),
      error);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.textContent = '';
      const value = input.value.trim();
      if (!value) {
        input.focus();
        return;
      }
      try {
        const data = await api('PATCH', `/complaints/${encodeURIComponent(draft.id)}/answers`, { key: field.key, value });
        onUpdated(data.draft);
        announce(t('saved', { label }));
        const again = container.querySelector(`[data-key="${CSS.escape(field.key)}"]`);
        if (again) again.focus();
      } catch (e) {
        showError(error, e);
        input.setAttribute('aria-invalid', 'true');
        input.focus();
      }
    });
    input.dataset.key = field.key;
    return form;
  }

  // ── complaints ──────────────────────────────────────────────────────────────
  async function loadComplaints(page = 1) {
    const params = new URLSearchParams();
    const q = $('search-q').value.trim();
    if (q) params.set('q', q);
    if ($('search-status').value) params.set('status', $('search-status').value);
    if ($('search-from').value) params.set('from', $('search-from').value);
    if ($('search-to').value) params.set('to', $('search-to').value);
    params.set('page', String(page));
    try {
      const data = await api('GET', `/complaints?${params}`);
      state.complaintsPage = data.page;
      const body = $('complaints-body');
      body.replaceChildren();
      for (const item of data.items) {
        if (item.caseTitle) caseTitles.set(item.caseType, item.caseTitle);
        const name = item.plaintiffName || t('noName');
        const actions = el('td', { className: 'actions' },
          el('button', { type: 'button', text: t('open'), 'aria-label': `${t('open')} ${name}`, onClick: () => openComplaint(item.id) }));
        if (item.status !== 'draft') {
          actions.append(el('button', { type: 'button', text: t('openDocument'), 'aria-label': `${t('openDocument')} ${name}`, onClick: () => openDocument(item.id) }));
        }
        body.append(el('tr', {},
          el('th', { scope: 'row', text: name }),
          el('td', { text: item.defendantName || '' }),
          el('td', { text: item.caseTitle ? pick(item.caseTitle) : t('noCase') }),
          el('td', { text: t(`status_${item.status}`) }),
          el('td', { className: 'code', text: item.resumeCode }),
          el('td', { text: time(item.createdAt) }),
          actions));
      }
      const pages = Math.max(1, Math.ceil(data.total / data.pageSize));
      $('complaints-count').textContent = t('found', { n: data.total });
      $('page-info').textContent = t('pageInfo', { page: data.page, pages });
      $('page-prev').disabled = data.page <= 1;
      $('page-next').disabled = data.page >= pages;
    } catch (e) {
      showError($('complaints-count'), e);
    }
  }

  async function openComplaint(id) {
    try {
      const data = await api('GET', `/complaints/${encodeURIComponent(id)}`);
      state.complaint = data.draft;
      $('complaint-status').textContent = '';
      renderComplaint();
      show('complaint');
    } catch (e) {
      showError($('complaints-count'), e);
    }
  }

  function renderComplaint() {
    const draft = state.complaint;
    if (!draft) return;
    if (draft.caseTitle) caseTitles.set(draft.caseType, draft.caseTitle);
    const name = draft.fields.find((f) => f.fieldId === 'plaintiff.name' && f.value !== undefined);
    $('complaint-heading').textContent = `${name ? name.value : t('noName')} · ${draft.caseTitle ? pick(draft.caseTitle) : t('noCase')}`;
    $('complaint-info').textContent = t('complaintInfo', { code: draft.resumeCode, status: t(`status_${draft.status}`), created: time(draft.createdAt) });
    $('complaint-finish').hidden = draft.status === 'filed' || draft.status === 'archived';
    $('complaint-filed').hidden = draft.status !== 'finished';
    const archivable = draft.status === 'finished' || draft.status === 'filed';
    $('complaint-archive').hidden = !archivable;
    $('archive-note').hidden = !archivable;
    $('complaint-document').hidden = !draft.caseType;
    renderDraft($('complaint-draft'), draft, (updated) => {
      state.complaint = updated;
      renderComplaint();
    });
  }

  function openDocument(id) {
    // A new tab: the clerk prints from there (the page is laid out for A4).
    window.open(`/api/clerk/complaints/${encodeURIComponent(id)}/document.html`, '_blank', 'noopener');
  }

  async function onFinishComplaint() {
    const draft = state.complaint;
    if (!draft) return;
    try {
      const data = await finishWithCheck(`/complaints/${encodeURIComponent(draft.id)}/finish`);
      if (!data) return;
      state.complaint = data.draft;
      renderComplaint();
      $('complaint-status').textContent = t('finished');
    } catch (e) {
      showError($('complaint-status'), e);
    }
  }

  async function onMarkFiled() {
    const draft = state.complaint;
    if (!draft) return;
    try {
      const data = await api('POST', `/complaints/${encodeURIComponent(draft.id)}/filed`, {});
      state.complaint = data.draft;
      renderComplaint();
      $('complaint-status').textContent = t('filedDone');
    } catch (e) {
      showError($('complaint-status'), e);
    }
  }

  async function onArchive() {
    const draft = state.complaint;
    if (!draft || !window.confirm(t('confirmArchive'))) return;
    try {
      const data = await api('POST', `/complaints/${encodeURIComponent(draft.id)}/archive`, {});
      state.complaint = data.draft;
      renderComplaint();
      $('complaint-status').textContent = t('archivedDone');
      // The button that had focus is gone; the heading keeps the keyboard in the view.
      $('complaint-heading').focus();
    } catch (e) {
      showError($('complaint-status'), e);
    }
  }

  // ── home visits ─────────────────────────────────────────────────────────────
  async function loadVisits(date) {
    // A slower answer for a day picked earlier must not replace the day picked last.
    state.visitsRequest += 1;
    const request = state.visitsRequest;
    const query = /^\d{4}-\d{2}-\d{2}$/.test(date || '') ? `?date=${encodeURIComponent(date)}` : '';
    try {
      const data = await api('GET', `/visits${query}`);
      if (request !== state.visitsRequest) return;
      state.visits = data;
      $('visits-date').value = data.date;
      renderVisits();
    } catch (e) {
      if (request === state.visitsRequest) showError($('visits-count'), e);
    }
  }

  function updateVisitsExport() {
    const date = $('visits-date').value || (state.visits ? state.visits.date : '');
    const link = $('visits-ics');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) {
      link.hidden = true;
      return;
    }
    link.hidden = false;
    link.href = `/api/clerk/visits/calendar.ics?${new URLSearchParams({ date, lang: state.lang })}`;
  }

  function slotLabel(visit) {
    const slot = state.visits.slots.find((s) => s.id === visit.slotId);
    // The slot's own hours are the court's wall-clock time, whatever this computer's zone.
    if (slot) return `${pick(slot.name)} ${slot.start}–${slot.end}`;
    return `${visit.start.slice(11, 16)}–${visit.end.slice(11, 16)}`;
  }

  /** Mobile numbers in 3-4-4 groups, as they are read aloud on the phone. */
  function phoneGroups(phone) {
    return /^1\d{10}$/.test(phone) ? `${phone.slice(0, 3)} ${phone.slice(3, 7)} ${phone.slice(7)}` : phone;
  }

  function renderVisits() {
    const data = state.visits;
    if (!data) return;
    updateVisitsExport();
    $('visits-count').textContent = data.visits.length ? t('visitsCount', { date: data.date, n: data.visits.length }) : t('visitsNone', { date: data.date });
    const container = $('visits-teams');
    container.replaceChildren();
    const byId = new Map(data.visits.map((v) => [v.id, v]));
    // Visits without a team come first: they are the ones waiting for a clerk.
    const groups = [{ id: 'unassigned', title: t('teamUnassigned') }, ...data.teams.map((team) => ({ id: team.id, title: pick(team.name) }))];
    let counter = 0;
    for (const group of groups) {
      const visits = (data.byTeam[group.id] || []).map((id) => byId.get(id)).filter(Boolean);
      if (group.id === 'unassigned' && visits.length === 0) continue;
      const headingId = `visits-team-${group.id}`;
      const section = el('section', { className: 'visit-team', 'aria-labelledby': headingId },
        el('h3', { id: headingId, text: t('teamHeading', { team: group.title, n: visits.length }) }));
      if (visits.length === 0) section.append(el('p', { className: 'note', text: t('teamEmpty') }));
      else section.append(el('ol', { className: 'visit-list' }, visits.map((visit) => visitCard(visit, (counter += 1)))));
      container.append(section);
    }
  }

  function visitCard(visit, n) {
    const id = `visit-${n}`;
    // Only a visit still to happen waits for a decision; an assigned or finished one has had it.
    const waiting = visit.needsReview && visit.status === 'booked';
    const name = visit.filerName || t('noName');
    const detail = (term, value, className) => [el('dt', { text: term }), el('dd', { className, text: value })];
    const reason = t(`visitReason_${visit.reason}`);
    const card = el('li', { className: `visit visit-${visit.status}${waiting ? ' visit-review' : ''}`, 'data-visit-id': visit.id },
      el('h4', { id: `${id}-heading`, className: 'visit-title', tabindex: '-1' },
        `${slotLabel(visit)}　${name}`,
        waiting ? el('span', { className: 'badge badge-review', text: t('visitNeedsReview') }) : null),
      el('dl', { className: 'visit-details' },
        detail(t('visitAddress'), visit.address),
        visit.landmark ? detail(t('visitLandmark'), visit.landmark) : null,
        detail(t('visitPhone'), phoneGroups(visit.phone), 'code'),
        detail(t('visitReason'), reason),
        detail(t('visitStatus'), t(`visitStatus_${visit.status}`)),
        visit.outcomeNote ? detail(t('visitNote'), visit.outcomeNote) : null,
        detail(t('visitCode'), visit.code, 'code')));
    if (visit.complaintId) {
      card.append(el('div', { className: 'action-row' },
        el('button', { type: 'button', text: t('openDraft'), 'aria-describedby': `${id}-heading`, onClick: () => openComplaint(visit.complaintId) })));
    }
    if (visit.status === 'booked') card.append(assignForm(visit, id), outcomeForm(visit, id));
    return card;
  }

  function focusVisit(visitId) {
    const card = document.querySelector(`.visit[data-visit-id="${CSS.escape(visitId)}"] .visit-title`);
    if (card) card.focus();
  }

  function assignForm(visit, id) {
    const select = el('select', { id: `${id}-team`, 'aria-describedby': `${id}-heading ${id}-team-error` },
      el('option', { value: '', text: t('choose') }),
      state.visits.teams.map((team) => el('option', { value: team.id, text: pick(team.name) })));
    select.value = visit.teamId || '';
    const error = el('p', { id: `${id}-team-error`, className: 'error', role: 'alert' });
    const form = el('form', { className: 'visit-form', novalidate: true },
      el('div', { className: 'action-row' },
        el('label', { for: `${id}-team`, text: t('assignLabel') }), select,
        el('button', { type: 'submit', text: t('assignButton') })),
      error);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.textContent = '';
      select.removeAttribute('aria-invalid');
      if (!select.value) {
        error.textContent = t('assignChoose');
        select.setAttribute('aria-invalid', 'true');
        select.focus();
        return;
      }
      try {
        await api('POST', `/visits/${encodeURIComponent(visit.id)}/assign`, { teamId: select.value });
        const team = state.visits.teams.find((tm) => tm.id === select.value);
        const message = t('assigned', { team: team ? pick(team.name) : select.value });
        await loadVisits(state.visits.date);
        $('visits-status').textContent = message;
        focusVisit(visit.id);
      } catch (e) {
        showError(error, e);
        select.setAttribute('aria-invalid', 'true');
        select.focus();
      }
    });
    return form;
  }

  function outcomeForm(visit, id) {
    const select = el('select', { id: `${id}-outcome`, 'aria-describedby': `${id}-heading ${id}-outcome-error` },
      el('option', { value: '', text: t('choose') }),
      ['done', 'failed', 'cancelled'].map((value) => el('option', { value, text: t(`visitOutcome_${value}`) })));
    const reason = el('input', { id: `${id}-reason`, type: 'text', maxlength: '500', autocomplete: 'off', 'aria-describedby': `${id}-outcome-error` });
    const error = el('p', { id: `${id}-outcome-error`, className: 'error', role: 'alert' });
    const form = el('form', { className: 'visit-form', novalidate: true },
      el('div', { className: 'action-row' },
        el('label', { for: `${id}-outcome`, text: t('outcomeLabel') }), select,
        el('label', { for: `${id}-reason`, text: t('outcomeReason') }), reason,
        el('button', { type: 'submit', text: t('outcomeSave') })),
      error);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.textContent = '';
      select.removeAttribute('aria-invalid');
      reason.removeAttribute('aria-invalid');
      const outcome = select.value;
      const words = reason.value.trim();
      if (!outcome) {
        error.textContent = t('outcomeChoose');
        select.setAttribute('aria-invalid', 'true');
        select.focus();
        return;
      }
      // The API refuses a failed or cancelled visit without a reason; say so before sending.
      if (outcome !== 'done' && !words) {
        error.textContent = t('reasonNeeded');
        reason.setAttribute('aria-invalid', 'true');
        reason.focus();
        return;
      }
      try {
        await api('POST', `/visits/${encodeURIComponent(visit.id)}/outcome`, words ? { outcome, reason: words } : { outcome });
        const message = t('outcomeSaved', { outcome: t(`visitStatus_${outcome}`) });
        await loadVisits(state.visits.date);
        $('visits-status').textContent = message;
        focusVisit(visit.id);
      } catch (e) {
        showError(error, e);
        select.focus();
      }
    });
    return form;
  }

  async function loadVisitSettings() {
    if (!state.me || state.me.role !== 'admin') return;
    const error = $('visit-settings-error');
    error.textContent = '';
    $('visit-settings-status').textContent = '';
    $('visit-settings-json').removeAttribute('aria-invalid');
    try {
      $('visit-settings-json').value = JSON.stringify(await api('GET', '/visits/settings'), null, 2);
    } catch (e) {
      showError(error, e);
    }
  }

  async function onSaveVisitSettings(event) {
    event.preventDefault();
    const area = $('visit-settings-json');
    const error = $('visit-settings-error');
    error.textContent = '';
    $('visit-settings-status').textContent = '';
    area.removeAttribute('aria-invalid');
    let calendar;
    try {
      calendar = JSON.parse(area.value);
    } catch (e) {
      error.textContent = t('settingsNotJson', { problem: e instanceof Error ? e.message : String(e) });
      area.setAttribute('aria-invalid', 'true');
      area.focus();
      return;
    }
    try {
      area.value = JSON.stringify(await api('PUT', '/visits/settings', calendar), null, 2);
      $('visit-settings-status').textContent = t('settingsSaved');
      // Teams or slots may have changed: the day's view follows the new calendar.
      if (state.visits) await loadVisits(state.visits.date);
    } catch (e) {
      showError(error, e);
      area.setAttribute('aria-invalid', 'true');
      area.focus();
    }
  }

  // ── accounts (admins) ───────────────────────────────────────────────────────
  async function loadAccounts() {
    try {
      const data = await api('GET', '/accounts');
      const body = $('accounts-body');
      body.replaceChildren();
      for (const account of data.accounts) {
        const toggle = el('button', {
          type: 'button',
          text: account.disabled ? t('enable') : t('disable'),
          'aria-label': `${account.disabled ? t('enable') : t('disable')} ${account.username}`,
          onClick: () => changeAccount(account.username, { disabled: !account.disabled }),
        });
        if (state.me && account.username === state.me.username) toggle.disabled = true;
        body.append(el('tr', {},
          el('th', { scope: 'row', text: account.username }),
          el('td', { text: account.displayName }),
          el('td', { text: t(`role_${account.role}`) }),
          el('td', { text: account.disabled ? t('disabled') : t('active') }),
          el('td', {}, toggle)));
      }
    } catch (e) {
      showError($('accounts-status'), e);
    }
  }

  async function changeAccount(username, change) {
    try {
      await api('PATCH', `/accounts/${encodeURIComponent(username)}`, change);
      $('accounts-status').textContent = t('accountChanged', { name: username });
      await loadAccounts();
    } catch (e) {
      showError($('accounts-status'), e);
    }
  }

  async function onAddAccount(event) {
    event.preventDefault();
    const error = $('account-error');
    error.textContent = '';
    try {
      const data = await api('POST', '/accounts', {
        username: $('new-username').value.trim(),
        displayName: $('new-display').value.trim(),
        role: $('new-role').value,
        password: $('new-password').value,
      });
      $('account-form').reset();
      $('accounts-status').textContent = t('accountAdded', { name: data.account.username });
      await loadAccounts();
    } catch (e) {
      showError(error, e);
    }
  }

  // ── audit (admins) ──────────────────────────────────────────────────────────
  async function loadAudit(page = 1) {
    const params = new URLSearchParams({ page: String(page) });
    if ($('audit-actor').value.trim()) params.set('actor', $('audit-actor').value.trim().toLowerCase());
    if ($('audit-record').value.trim()) params.set('recordId', $('audit-record').value.trim());
    try {
      const data = await api('GET', `/audit?${params}`);
      state.auditPage = data.page;
      const body = $('audit-body');
      body.replaceChildren();
      for (const event of data.events) {
        body.append(el('tr', {},
          el('td', { text: time(event.at) }),
          el('th', { scope: 'row', text: event.actor === 'system' ? t('actor_system') : event.actor }),
          el('td', { text: `${t(`action_${event.action}`)}${event.outcome ? ` ${t(`outcome_${event.outcome}`)}` : ''}` }),
          el('td', { className: 'code', text: event.recordId || '' }),
          el('td', { text: event.field || '' })));
      }
      const pages = Math.max(1, Math.ceil(data.total / data.pageSize));
      $('audit-count').textContent = t('auditFound', { n: data.total });
      $('audit-page').textContent = t('pageInfo', { page: data.page, pages });
      $('audit-prev').disabled = data.page <= 1;
      $('audit-next').disabled = data.page >= pages;
    } catch (e) {
      showError($('audit-count'), e);
    }
  }

  // ── start ───────────────────────────────────────────────────────────────────
  function onTab(view) {
    if (view === 'queue') show('queue');
    if (view === 'complaints') {
      show('complaints');
      void loadComplaints(1);
    }
    if (view === 'visits') {
      show('visits');
      void loadVisits(state.visits ? state.visits.date : '');
      void loadVisitSettings();
    }
    if (view === 'accounts') {
      show('accounts');
      void loadAccounts();
    }
    if (view === 'audit') {
      show('audit');
      void loadAudit(1);
    }
  }

  async function start() {
    let saved = null;
    try {
      saved = localStorage.getItem('clerk.lang');
    } catch {
      saved = null;
    }
    state.lang = saved === 'en-US' || saved === 'zh-CN' ? saved : /^en\b/i.test(navigator.language || '') ? 'en-US' : 'zh-CN';
    applyLanguage();
    for (const button of document.querySelectorAll('.lang-button')) button.addEventListener('click', () => setLanguage(button.dataset.lang));
    for (const button of document.querySelectorAll('.tab')) button.addEventListener('click', () => onTab(button.dataset.view));
    $('sign-in-form').addEventListener('submit', onSignIn);
    $('sign-out').addEventListener('click', onSignOut);
    $('message-form').addEventListener('submit', onSendMessage);
    $('return-button').addEventListener('click', onGiveBack);
    $('complete-button').addEventListener('click', onComplete);
    $('back-to-queue').addEventListener('click', () => {
      state.handoff = null;
      show('queue');
    });
    $('search-form').addEventListener('submit', (event) => {
      event.preventDefault();
      void loadComplaints(1);
    });
    $('page-prev').addEventListener('click', () => loadComplaints(state.complaintsPage - 1));
    $('page-next').addEventListener('click', () => loadComplaints(state.complaintsPage + 1));
    $('complaint-finish').addEventListener('click', onFinishComplaint);
    $('complaint-filed').addEventListener('click', onMarkFiled);
    $('complaint-archive').addEventListener('click', onArchive);
    $('complaint-document').addEventListener('click', () => state.complaint && openDocument(state.complaint.id));
    $('back-to-complaints').addEventListener('click', () => {
      state.complaint = null;
      show('complaints');
      void loadComplaints(state.complaintsPage);
    });
    $('account-form').addEventListener('submit', onAddAccount);
    $('visits-form').addEventListener('submit', (event) => {
      event.preventDefault();
      $('visits-status').textContent = '';
      void loadVisits($('visits-date').value);
    });
    $('visits-today').addEventListener('click', () => {
      $('visits-status').textContent = '';
      void loadVisits('');
    });
    $('visits-date').addEventListener('change', updateVisitsExport);
    $('visit-settings-form').addEventListener('submit', onSaveVisitSettings);
    $('visit-settings-reload').addEventListener('click', () => void loadVisitSettings());
    $('audit-form').addEventListener('submit', (event) => {
      event.preventDefault();
      void loadAudit(1);
    });
    $('audit-prev').addEventListener('click', () => loadAudit(state.auditPage - 1));
    $('audit-next').addEventListener('click', () => loadAudit(state.auditPage + 1));
    setInterval(refreshWaiting, 30000);

    try {
      signedIn(await api('GET', '/me'));
    } catch {
      signedOut();
    }
  }

  document.addEventListener('DOMContentLoaded', () => void start());
})();
