// @ts-check
/**
 * The kiosk page. It talks to the bot over Direct Line and shows each question from
 * channelData.ask as one big picture-and-word screen, speaking everything aloud:
 * - choice / confirm / gender: large pictogram buttons (the answer goes as value.answer);
 * - idNumber / phone / money / number: a number pad that says each digit;
 * - date: the same pad in three steps, year, month, day;
 * - text / name / address: the microphone where the server recognizes speech, and always a
 *   large entry with a "call a clerk" hint.
 * Repeat, back, slower and "call a clerk" are always there. After a long pause it asks whether
 * the filer is still there, then tells the bot (event kiosk.leave), shows and says the resume
 * code, and clears everything for the next person.
 */
import { DirectLineConnection } from './directline.js';
import { canRecord, recognize, Recording, Voice } from './voice.js';

/** Words the bot understands as commands at every question (CONTRACT §5). */
const COMMANDS = {
  'zh-CN': { repeat: '重复', back: '上一步', slower: '慢一点', person: '转人工', skip: '跳过' },
  'en-US': { repeat: 'repeat', back: 'back', slower: 'slower', person: 'person', skip: 'skip' },
};

/** How each key of the number pad is said. 1 is 幺 in Chinese, as the bot reads numbers back. */
const KEY_WORDS = {
  'zh-CN': { 0: '零', 1: '幺', 2: '二', 3: '三', 4: '四', 5: '五', 6: '六', 7: '七', 8: '八', 9: '九', X: '叉', '.': '点' },
  'en-US': { 0: 'zero', 1: 'one', 2: 'two', 3: 'three', 4: 'four', 5: 'five', 6: 'six', 7: 'seven', 8: 'eight', 9: 'nine', X: 'X', '.': 'point' },
};

const KEYPAD_TYPES = new Set(['idNumber', 'phone', 'money', 'number']);
const ENTRY_TYPES = new Set(['text', 'name', 'address']);
const MAX_DIGITS = { idNumber: 18, phone: 14, money: 12, number: 10 };

/** @param {string} selector @returns {HTMLElement} */
const $ = (selector) => /** @type {HTMLElement} */ (document.querySelector(selector));

/**
 * @param {string} tag
 * @param {Record<string, string>} [attrs]
 * @param {(Node | string)[]} [children]
 */
function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const child of children) node.append(child);
  return node;
}

/** @param {string} template @param {Record<string, string | number>} vars */
const fill = (template, vars) => template.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));

/** @type {any} */
let config;
const state = {
  locale: 'zh-CN',
  /** @type {'start' | 'talk' | 'finished' | 'left'} */
  screen: 'start',
  /** @type {DirectLineConnection | null} */
  dl: null,
  /** @type {any} */
  ask: null,
  busy: false,
  /** The next bot message starts a new turn (what "repeat" replays). */
  newTurn: true,
  lastTouch: Date.now(),
  stillThereSince: 0,
  leaving: false,
  leaveId: '',
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  resetTimer: undefined,
  /** @type {Recording | null} */
  recording: null,
  micBroken: false,
  /** Messages that came while leaving, kept until the id of the leave event is known. */
  /** @type {any[]} */
  leaveReplies: [],
};

/** @type {Voice} */
let voice;

function labels() {
  return config.labels[state.locale];
}

function spoken() {
  return config.spoken[state.locale];
}

/** Same rule as src/web/kiosk/pictograms.ts pictogramName. @param {any} ask @param {string} value */
function pictogramFor(ask, value) {
  let name = `choice-${value}`;
  if (ask.field === 'caseType') name = `case-${value}`;
  else if (ask.field === 'review.section') name = `section-${value}`;
  else if (ask.type === 'confirm') name = value;
  else if (ask.type === 'gender') name = `gender-${value}`;
  return config.pictograms.includes(name) ? name : 'choice-generic';
}

/** @param {string} name */
const pictogram = (name) => el('img', { src: `/kiosk/pictograms/${name}.svg`, alt: '', 'data-pictogram': name });

/** A big button with a picture and a word; its name is the word. @param {string} picture @param {string} word @param {Record<string, string>} [attrs] */
function pictureButton(picture, word, attrs = {}) {
  return el('button', { type: 'button', 'aria-label': word, ...attrs }, [pictogram(picture), el('span', {}, [word])]);
}

// ---------------------------------------------------------------- screens and labels

function applyLabels() {
  const l = labels();
  document.documentElement.lang = state.locale;
  document.title = l.title;
  for (const node of document.querySelectorAll('[data-label]')) {
    const key = /** @type {HTMLElement} */ (node).dataset.label || '';
    if (l[key]) node.textContent = l[key];
  }
  for (const node of document.querySelectorAll('[data-label-aria]')) node.setAttribute('aria-label', l[/** @type {HTMLElement} */ (node).dataset.labelAria || ''] || '');
  for (const node of document.querySelectorAll('[data-label-title]')) node.setAttribute('title', l[/** @type {HTMLElement} */ (node).dataset.labelTitle || ''] || '');
  // Static buttons: their name is the word under their picture.
  for (const button of document.querySelectorAll('button[data-action]')) {
    const word = button.querySelector('[data-label]');
    if (word?.textContent) button.setAttribute('aria-label', word.textContent);
  }
  for (const button of document.querySelectorAll('.lang-button')) {
    button.setAttribute('aria-pressed', String(/** @type {HTMLElement} */ (button).dataset.locale === state.locale));
  }
}

/** @param {'start' | 'talk' | 'finished' | 'left'} name */
function showScreen(name) {
  state.screen = name;
  for (const screen of ['start', 'talk', 'finished', 'left']) $(`#screen-${screen}`).hidden = screen !== name;
  document.body.dataset.screen = name;
}

/** @param {boolean} busy */
function setBusy(busy) {
  state.busy = busy;
  $('#waiting').hidden = !busy;
  for (const control of document.querySelectorAll('#answer button, #answer input, #answer textarea, .tools button:not([data-action="repeat"])')) {
    /** @type {HTMLButtonElement} */ (control).disabled = busy;
  }
  $('#app').setAttribute('aria-busy', String(busy));
}

function touched() {
  state.lastTouch = Date.now();
}

// ---------------------------------------------------------------- talking to the bot

async function startConversation() {
  resetScreens();
  showScreen('talk');
  setBusy(true);
  state.newTurn = true;
  const dl = new DirectLineConnection({
    locale: state.locale,
    onActivities: (activities) => onActivities(activities),
    onConnection: (ok) => {
      const line = $('#connection');
      line.hidden = ok;
      line.textContent = ok ? '' : labels().connectionLost;
    },
    onLost: () => reset(),
  });
  state.dl = dl;
  try {
    await dl.start();
  } catch {
    $('#connection').hidden = false;
    $('#connection').textContent = labels().connectionLost;
    state.resetTimer = setTimeout(reset, 5000);
  }
}

/** @param {Record<string, unknown>} activity */
async function send(activity) {
  if (!state.dl) return '';
  voice.stop();
  stopRecording();
  setBusy(true);
  state.newTurn = true;
  touched();
  try {
    return await state.dl.send({ locale: state.locale, ...activity });
  } catch {
    setBusy(false);
    $('#connection').hidden = false;
    $('#connection').textContent = labels().connectionLost;
    return '';
  }
}

/** A tapped picture: the choice's value for the bot, its title as the words. @param {string} value @param {string} title */
const sendAnswer = (value, title) => send({ type: 'message', text: title, value: { answer: value } });
/** @param {string} text */
const sendText = (text) => send({ type: 'message', text });
/** @param {'repeat' | 'back' | 'slower' | 'person' | 'skip'} name */
const sendCommand = (name) => sendText(COMMANDS[/** @type {'zh-CN' | 'en-US'} */ (state.locale)][name]);

/** @param {any[]} activities */
function onActivities(activities) {
  // Replies came through: whatever failed before is over.
  $('#connection').hidden = true;
  for (const activity of activities) {
    if (activity.type !== 'message') continue;
    if (state.leaving) {
      state.leaveReplies.push(activity);
      takeLeaveReply();
      continue;
    }
    if (state.screen !== 'talk' && state.screen !== 'finished') continue;
    if (state.newTurn) {
      state.newTurn = false;
      voice.startTurn();
      $('#said').replaceChildren();
    }
    if (activity.channelData?.complaint) {
      showFinished(activity);
      continue;
    }
    const ask = activity.inputHint === 'expectingInput' ? activity.channelData?.ask : undefined;
    if (ask) {
      showQuestion(activity, ask);
    } else if (activity.text) {
      $('#said').append(el('p', {}, [activity.text]));
    }
    if (activity.speak) voice.sayBot(activity.speak, activity.locale || state.locale);
    if (ask) {
      if (ENTRY_TYPES.has(ask.type) && !micAvailable()) voice.sayText(spoken().typeOrClerk, state.locale, { remember: true, keep: true });
      setBusy(false);
      state.dl?.settle();
    }
  }
}

// ---------------------------------------------------------------- questions

/** @param {any} activity @param {any} ask */
function showQuestion(activity, ask) {
  state.ask = ask;
  $('#question-text').textContent = activity.text || '';
  const progress = $('#progress');
  if (ask.progress && ask.progress.total > 0) {
    const { step, total } = ask.progress;
    progress.hidden = false;
    progress.setAttribute('aria-valuemax', String(total));
    progress.setAttribute('aria-valuenow', String(step));
    progress.setAttribute('aria-label', fill(labels().progress, { step, total }));
    /** @type {HTMLElement} */ (progress.querySelector('.progress-fill')).style.width = `${Math.round((100 * step) / total)}%`;
    /** @type {HTMLElement} */ (progress.querySelector('.progress-text')).textContent = `${step} / ${total}`;
  } else {
    progress.hidden = true;
  }
  const answer = $('#answer');
  answer.replaceChildren();
  answer.dataset.type = ask.type;
  answer.dataset.field = ask.field;
  if (ask.type === 'date') renderDate(answer, ask);
  else if (KEYPAD_TYPES.has(ask.type)) renderKeypad(answer, ask);
  else if (ask.type === 'gender') renderChoices(answer, ask, [{ value: 'male', title: labels().male }, { value: 'female', title: labels().female }]);
  else if (Array.isArray(ask.choices) && ask.choices.length > 0) renderChoices(answer, ask, ask.choices);
  else renderEntry(answer, ask);
  if (!ask.required && ask.type !== 'confirm') {
    answer.append(pictureButton('skip', labels().skip, { class: 'skip', 'data-answer': 'skip' }));
    /** @type {HTMLElement} */ (answer.querySelector('[data-answer="skip"]')).addEventListener('click', () => sendCommand('skip'));
  }
  const first = /** @type {HTMLElement | null} */ (answer.querySelector('button, input, textarea'));
  first?.focus({ preventScroll: true });
}

/** @param {HTMLElement} answer @param {any} ask @param {{ value: string, title: string }[]} choices */
function renderChoices(answer, ask, choices) {
  for (const choice of choices) {
    const kind = ask.type === 'confirm' ? ` ${choice.value}` : '';
    const button = pictureButton(pictogramFor(ask, choice.value), choice.title, { class: `choice${kind}`, 'data-value': choice.value });
    button.addEventListener('click', () => sendAnswer(choice.value, choice.title));
    answer.append(button);
  }
}

/** The number pad: 1–9, then X (ID numbers) or a point (amounts), 0 and delete. @param {any} ask @param {(key: string) => void} onKey */
function keypad(ask, onKey) {
  const pad = el('div', { class: 'keypad', role: 'group', 'aria-label': labels().keypad });
  const extra = ask.type === 'idNumber' ? 'X' : ask.type === 'money' || (ask.type === 'number' && !ask.field.startsWith('resume.')) ? '.' : '';
  for (const key of ['1', '2', '3', '4', '5', '6', '7', '8', '9', extra, '0']) {
    if (!key) {
      pad.append(el('span', { 'aria-hidden': 'true' }));
      continue;
    }
    const button = el('button', { type: 'button', class: 'key', 'data-key': key }, [key]);
    button.addEventListener('click', () => onKey(key));
    pad.append(button);
  }
  const del = pictureButton('delete', labels().delete, { class: 'key', 'data-key': 'delete' });
  del.addEventListener('click', () => onKey('delete'));
  pad.append(del);
  voice.prefetch([...'0123456789', extra].filter(Boolean).map((k) => keyWord(k)), state.locale);
  return pad;
}

/** @param {string} key */
function keyWord(key) {
  const words = /** @type {Record<string, string>} */ (KEY_WORDS[/** @type {'zh-CN' | 'en-US'} */ (state.locale)]);
  return words[key] ?? key;
}

/** Echoes a key by voice at once, cutting off whatever was being said. @param {string} word */
function echo(word) {
  voice.stop();
  voice.sayText(word, state.locale, { keep: true });
}

/** @param {string} type @param {string} digits */
function grouped(type, digits) {
  const groups = type === 'idNumber' ? [6, 8, 4] : type === 'phone' && digits.length === 11 ? [3, 4, 4] : [];
  if (type === 'money') {
    const [whole = '', fraction] = digits.split('.');
    return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (fraction !== undefined ? `.${fraction}` : '');
  }
  const parts = [];
  let at = 0;
  for (const size of groups) {
    if (at >= digits.length) break;
    parts.push(digits.slice(at, at + size));
    at += size;
  }
  if (at < digits.length) parts.push(digits.slice(at));
  return parts.join(' ');
}

/** @param {HTMLElement} answer @param {any} ask */
function renderKeypad(answer, ask) {
  let digits = '';
  // The resume code, and the last 4 digits of the phone asked before a draft is opened.
  const max = ask.field === 'resume.code' ? 6 : ask.field === 'resume.phone' ? 4 : /** @type {Record<string, number>} */ (MAX_DIGITS)[ask.type] ?? 12;
  const display = el('output', { class: 'display', 'aria-live': 'polite', 'aria-label': labels().entered, 'data-display': '' });
  const ok = pictureButton('ok', labels().ok, { class: 'ok', 'data-answer': 'ok' });
  ok.addEventListener('click', () => {
    if (digits) sendText(digits);
  });
  const pad = keypad(ask, (key) => {
    touched();
    if (key === 'delete') {
      digits = digits.slice(0, -1);
      echo(labels().delete);
    } else if (digits.length < max && !(key === '.' && (digits.includes('.') || !digits)) && !(key === 'X' && digits.length !== 17)) {
      digits += key;
      echo(keyWord(key));
    }
    display.textContent = grouped(ask.type, digits);
  });
  answer.append(el('div', { class: 'keypad-area' }, [el('div', { class: 'keypad-side' }, [el('div', { class: 'display-row' }, [pictogram('keypad'), display]), ok]), pad]));
}

/** @param {HTMLElement} answer @param {any} ask */
function renderDate(answer, ask) {
  const l = labels();
  const steps = [
    { name: 'year', label: l.year, size: 4, value: '' },
    { name: 'month', label: l.month, size: 2, value: '' },
    { name: 'day', label: l.day, size: 2, value: '' },
  ];
  let current = 0;
  const boxes = steps.map((step) => el('div', { class: 'date-step', 'data-step': step.name }, [
    el('span', { class: 'step-label' }, [step.label]),
    el('output', { class: 'step-value', 'aria-label': step.label }),
  ]));
  const noDay = pictureButton('calendar', l.noDay, { class: 'skip', 'data-answer': 'no-day' });
  const ok = pictureButton('ok', l.ok, { class: 'ok', 'data-answer': 'ok' });
  const pad2 = (/** @type {string} */ v) => v.padStart(2, '0');
  const submit = (/** @type {boolean} */ withDay) => {
    const [year, month, day] = steps.map((s) => s.value);
    if (!year || year.length !== 4 || !month) return;
    sendText(withDay && day ? `${year}-${pad2(month)}-${pad2(day)}` : `${year}-${pad2(month)}`);
  };
  const draw = () => {
    boxes.forEach((box, i) => {
      box.classList.toggle('current', i === current);
      /** @type {HTMLElement} */ (box.querySelector('output')).textContent = steps[i]?.value ?? '';
    });
    noDay.hidden = current !== 2;
  };
  const moveTo = (/** @type {number} */ step) => {
    current = step;
    draw();
    echo(steps[step]?.label ?? '');
  };
  ok.addEventListener('click', () => {
    const step = steps[current];
    if (!step?.value) return;
    if (current < 2) moveTo(current + 1);
    else submit(true);
  });
  noDay.addEventListener('click', () => submit(false));
  const pad = keypad(ask, (key) => {
    touched();
    const step = steps[current];
    if (!step) return;
    if (key === 'delete') {
      if (step.value) step.value = step.value.slice(0, -1);
      else if (current > 0) current -= 1;
      echo(labels().delete);
      draw();
      return;
    }
    if (step.value.length >= step.size) return;
    step.value += key;
    echo(keyWord(key));
    draw();
    // A month that starts with 2–9, or a day that starts with 4–9, cannot take a second digit.
    const full = step.value.length === step.size || (step.name === 'month' && Number(step.value) > 1) || (step.name === 'day' && Number(step.value) > 3);
    if (full && current < 2) setTimeout(() => moveTo(current + 1), 400);
  });
  draw();
  answer.append(el('div', { class: 'keypad-area' }, [
    el('div', { class: 'keypad-side' }, [el('div', { class: 'display-row' }, [pictogram('calendar'), el('div', { class: 'date-steps' }, boxes)]), ok, noDay]),
    pad,
  ]));
}

function micAvailable() {
  return !!config.speech.recognition && canRecord() && !state.micBroken;
}

/** @param {HTMLElement} answer @param {any} ask */
function renderEntry(answer, ask) {
  const l = labels();
  const input = /** @type {HTMLInputElement | HTMLTextAreaElement} */ (ask.type === 'address'
    ? el('textarea', { class: 'entry', rows: '2', 'aria-label': l.typeHere, autocomplete: 'off', spellcheck: 'false' })
    : el('input', { class: 'entry', type: 'text', 'aria-label': l.typeHere, autocomplete: 'off', spellcheck: 'false', enterkeyhint: 'done' }));
  input.addEventListener('input', touched);
  const ok = pictureButton('ok', l.ok, { class: 'ok', 'data-answer': 'ok' });
  const submit = () => {
    const text = input.value.trim();
    if (text) sendText(text);
  };
  ok.addEventListener('click', submit);
  input.addEventListener('keydown', (event) => {
    if (/** @type {KeyboardEvent} */ (event).key === 'Enter' && ask.type !== 'address') submit();
  });
  const row = el('div', { class: 'entry-row' });
  if (micAvailable()) {
    const mic = pictureButton('microphone', l.speak, { class: 'mic', 'aria-pressed': 'false', 'data-answer': 'microphone' });
    mic.addEventListener('click', () => toggleRecording(mic, input, ok));
    row.append(mic);
  }
  row.append(input);
  const parts = [row, el('div', { class: 'entry-row' }, [ok])];
  if (!micAvailable()) parts.push(el('p', { class: 'entry-hint' }, [pictogram('clerk'), l.typeOrClerk]));
  answer.append(el('div', { class: 'entry-area' }, parts));
}

function stopRecording() {
  state.recording?.stop();
}

/** @param {HTMLElement} mic @param {HTMLInputElement | HTMLTextAreaElement} input @param {HTMLElement} ok */
async function toggleRecording(mic, input, ok) {
  touched();
  if (state.recording) {
    state.recording.stop();
    return;
  }
  voice.stop();
  const l = labels();
  const word = /** @type {HTMLElement} */ (mic.querySelector('span'));
  const recording = new Recording();
  state.recording = recording;
  mic.setAttribute('aria-pressed', 'true');
  word.textContent = l.listening;
  mic.setAttribute('aria-label', l.listening);
  // Speaking is activity too: a long answer must not trip the inactivity timer.
  const keepAwake = setInterval(touched, 1000);
  try {
    const wav = await recording.record();
    word.textContent = l.recognizing;
    mic.setAttribute('aria-label', l.recognizing);
    mic.setAttribute('aria-pressed', 'false');
    const text = wav ? await recognize(wav, state.locale) : '';
    if (text) {
      input.value = text;
      voice.sayText(fill(spoken().heard, { text }), state.locale);
      ok.focus({ preventScroll: true });
    } else {
      voice.sayText(spoken().notHeard, state.locale, { keep: true });
    }
  } catch {
    state.micBroken = true;
    mic.hidden = true;
    voice.sayText(spoken().voiceFailed, state.locale, { keep: true });
  } finally {
    clearInterval(keepAwake);
    state.recording = null;
    mic.setAttribute('aria-pressed', 'false');
    word.textContent = l.speak;
    mic.setAttribute('aria-label', l.speak);
    touched();
  }
}

// ---------------------------------------------------------------- the end, leaving, starting over

/** The code of a finished complaint: channelData, else the six digits in the text once links are gone. @param {any} activity */
function codeOf(activity) {
  const given = activity.channelData?.complaint?.resumeCode ?? activity.channelData?.resumeCode;
  if (typeof given === 'string' && /^\d{6}$/.test(given)) return given;
  // A link ends where URL characters end (Chinese text follows it without a space).
  const words = String(activity.text || '').replace(/https?:\/\/[A-Za-z0-9._~:/?#@!$&'()*+,;=%-]+/g, ' ');
  const found = words.match(/(?<!\d)\d{6}(?!\d)/g);
  return found && found.length === 1 ? found[0] : '';
}

/** The document on this server, whatever host PUBLIC_URL names (the preview must be same-origin to print). @param {string} url */
function sameOrigin(url) {
  try {
    const parsed = new URL(url, location.href);
    return parsed.pathname.startsWith('/documents/') ? parsed.pathname : 'about:blank';
  } catch {
    return 'about:blank';
  }
}

/** @param {any} activity */
function showFinished(activity) {
  state.ask = null;
  showScreen('finished');
  setBusy(false);
  const frame = /** @type {HTMLIFrameElement} */ ($('#document-frame'));
  frame.src = sameOrigin(activity.channelData.complaint.documentUrl);
  const code = codeOf(activity);
  $('#finished-code').textContent = code;
  $('#finished-code-box').hidden = !code;
  if (activity.speak) voice.sayBot(activity.speak, activity.locale || state.locale);
  voice.sayText(spoken().print, state.locale, { remember: true, keep: true });
  /** @type {HTMLElement} */ ($('#screen-finished').querySelector('[data-action="print"]')).focus({ preventScroll: true });
}

function printDocument() {
  touched();
  const frame = /** @type {HTMLIFrameElement} */ ($('#document-frame'));
  const target = frame.contentWindow && frame.src.includes('/documents/') ? frame.contentWindow : window;
  document.body.dataset.printed = String(Number(document.body.dataset.printed || 0) + 1);
  target.focus();
  target.print();
}

/** The filer has gone: clear the screen now, ask the bot for the code, show it, then start over. */
async function leave() {
  $('#still-there').hidden = true;
  state.stillThereSince = 0;
  voice.stop();
  stopRecording();
  if (!state.dl || state.screen !== 'talk') {
    reset();
    return;
  }
  state.leaving = true;
  resetScreens();
  showScreen('left');
  $('#left-code-box').hidden = true;
  // Should the bot not answer, the screen must not wait for ever with someone's session open.
  state.resetTimer = setTimeout(reset, 15_000);
  const id = await send({ type: 'event', name: 'kiosk.leave' });
  if (!id) {
    reset();
    return;
  }
  state.leaveId = id;
  takeLeaveReply();
}

/** The bot's answer to kiosk.leave, once both it and the event's id are here. */
function takeLeaveReply() {
  if (!state.leaving || !state.leaveId) return;
  const reply = state.leaveReplies.find((a) => a.replyToId === state.leaveId || a.channelData?.resumeCode);
  if (reply) showLeft(reply);
}

/** @param {any} activity */
function showLeft(activity) {
  state.leaving = false;
  state.leaveReplies = [];
  clearTimeout(state.resetTimer);
  setBusy(false);
  const code = codeOf(activity);
  $('#left-code').textContent = code;
  $('#left-code-box').hidden = !code;
  $('#left-text').textContent = code ? `${activity.text || ''} ${labels().keepCode}` : activity.text || '';
  voice.startTurn();
  if (activity.speak) voice.sayBot(activity.speak, activity.locale || state.locale);
  state.dl?.close();
  state.dl = null;
  state.resetTimer = setTimeout(reset, config.codeSeconds * 1000);
  /** @type {HTMLElement} */ ($('#screen-left').querySelector('[data-action="done"]')).focus({ preventScroll: true });
}

/** Empties every place a filer's words could be. */
function resetScreens() {
  $('#said').replaceChildren();
  $('#question-text').textContent = '';
  $('#answer').replaceChildren();
  $('#progress').hidden = true;
  /** @type {HTMLIFrameElement} */ ($('#document-frame')).src = 'about:blank';
  $('#finished-code').textContent = '';
  $('#left-code').textContent = '';
  $('#left-text').textContent = '';
  $('#connection').hidden = true;
  $('#still-there').hidden = true;
  delete document.body.dataset.printed;
}

/** Back to the start screen, as if the page had just loaded: the next person sees nothing of this one. */
function reset() {
  clearTimeout(state.resetTimer);
  stopRecording();
  state.dl?.close();
  Object.assign(state, {
    dl: null, ask: null, busy: false, newTurn: true, leaving: false, leaveId: '', leaveReplies: [], stillThereSince: 0, recording: null, micBroken: false,
    locale: 'zh-CN', lastTouch: Date.now(),
  });
  voice.forget();
  resetScreens();
  setBusy(false);
  applyLabels();
  showScreen('start');
  $('#start-button').focus({ preventScroll: true });
}

/** Inactivity: ask, then leave. Time spent listening to the assistant does not count. */
function checkIdle() {
  if (state.screen !== 'talk' && state.screen !== 'finished') return;
  if (voice.speaking || state.recording) {
    touched();
    return;
  }
  const idleMs = config.idleSeconds * 1000;
  const now = Date.now();
  if (!state.stillThereSince) {
    if (now - state.lastTouch >= idleMs) {
      state.stillThereSince = now;
      $('#still-there').hidden = false;
      /** @type {HTMLElement} */ ($('#still-there').querySelector('[data-action="here"]')).focus({ preventScroll: true });
      voice.sayText(spoken().stillThere, state.locale, { keep: true });
    }
  } else if (now - state.stillThereSince >= idleMs) {
    void leave();
  }
}

/** @param {string} locale */
function switchLanguage(locale) {
  if (locale === state.locale) return;
  state.locale = locale;
  applyLabels();
  // Ask the bot to say the question again, now in the other language.
  if (state.screen === 'talk' && state.dl && !state.busy) void sendCommand('repeat');
}

/** @param {string} action */
function onAction(action) {
  touched();
  switch (action) {
    case 'start':
      void startConversation();
      break;
    case 'repeat':
      if (!voice.replay() && !state.busy) void sendCommand('repeat');
      break;
    case 'back':
      void sendCommand('back');
      break;
    case 'slower':
      void sendCommand('slower');
      break;
    case 'clerk':
      void sendCommand('person');
      break;
    case 'here':
      $('#still-there').hidden = true;
      state.stillThereSince = 0;
      voice.replay();
      break;
    case 'print':
      printDocument();
      break;
    case 'done':
      reset();
      break;
  }
}

async function main() {
  const res = await fetch('/api/kiosk/config', { cache: 'no-store' });
  config = await res.json();
  voice = new Voice({
    synthesis: config.speech.synthesis,
    onSpeakingChange: (speaking) => {
      // Shown for styling and tests; time spent listening does not count as inactivity.
      document.body.dataset.speaking = String(speaking);
      if (!speaking) touched();
    },
  });
  document.addEventListener('click', (event) => {
    const target = /** @type {HTMLElement} */ (event.target).closest('button');
    if (!target) return;
    if (target.dataset.action) onAction(target.dataset.action);
    else if (target.dataset.locale) switchLanguage(target.dataset.locale);
    else touched();
  });
  for (const type of ['pointerdown', 'keydown']) document.addEventListener(type, touched, { passive: true });
  setInterval(checkIdle, 1000);
  applyLabels();
  showScreen('start');
  $('#app').setAttribute('aria-busy', 'false');
  document.body.dataset.ready = 'true';
}

void main();
