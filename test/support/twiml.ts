import { expect } from 'vitest';
import { checkWellFormed } from '../../src/speech/ssml.js';

/**
 * TwiML as the phone tests read it: parsed, and checked against what Twilio documents for
 * Voice (twilio.com/docs/voice/twiml): verbs, nouns and <Say>'s SSML, with their attributes
 * and, where it matters, their values.
 */
export interface XmlNode {
  name: string;
  attrs: Record<string, string>;
  children: (XmlNode | string)[];
}

const decode = (s: string) => s.replace(/&(amp|lt|gt|quot|apos);/g, (_m, n: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[n] ?? '');

const SSML = ['break', 'emphasis', 'lang', 'p', 'phoneme', 'prosody', 's', 'say-as', 'sub', 'w'];
const DOCUMENTED: Record<string, { attrs: string[]; children: string[] }> = {
  Response: { attrs: [], children: ['Say', 'Play', 'Gather', 'Dial', 'Hangup', 'Pause', 'Redirect'] },
  Say: { attrs: ['voice', 'language', 'loop'], children: ['#text', ...SSML] },
  Play: { attrs: ['loop', 'digits'], children: ['#text'] },
  Gather: {
    attrs: ['action', 'actionOnEmptyResult', 'bargeIn', 'debug', 'enhanced', 'finishOnKey', 'hints', 'input', 'language', 'maxSpeechTime', 'method',
      'numDigits', 'partialResultCallback', 'partialResultCallbackMethod', 'profanityFilter', 'speechModel', 'speechTimeout', 'timeout'],
    children: ['Say', 'Play', 'Pause'],
  },
  Dial: { attrs: ['action', 'answerOnBridge', 'callerId', 'hangupOnStar', 'method', 'record', 'ringTone', 'timeLimit', 'timeout', 'trim'], children: ['#text', 'Number'] },
  Hangup: { attrs: [], children: [] },
  Pause: { attrs: ['length'], children: [] },
  Redirect: { attrs: ['method'], children: ['#text'] },
  prosody: { attrs: ['rate', 'pitch', 'volume'], children: ['#text', ...SSML] },
  break: { attrs: ['time', 'strength'], children: [] },
  'say-as': { attrs: ['interpret-as', 'format'], children: ['#text'] },
  sub: { attrs: ['alias'], children: ['#text'] },
  p: { attrs: [], children: ['#text', ...SSML] },
  s: { attrs: [], children: ['#text', ...SSML] },
  emphasis: { attrs: ['level'], children: ['#text', ...SSML] },
  lang: { attrs: ['xml:lang'], children: ['#text', ...SSML] },
  w: { attrs: ['role'], children: ['#text'] },
  phoneme: { attrs: ['alphabet', 'ph'], children: ['#text'] },
};
const VALUES: Record<string, RegExp> = {
  'Gather.input': /^(dtmf|speech|dtmf speech)$/,
  'Gather.language': /^(cmn-Hans-CN|en-US)$/,
  'Gather.numDigits': /^[1-9]\d*$/,
  'Gather.finishOnKey': /^[0-9#*]?$/,
  'Gather.timeout': /^\d+$/,
  'Gather.speechTimeout': /^(auto|\d+)$/,
  'Gather.actionOnEmptyResult': /^(true|false)$/,
  'Gather.profanityFilter': /^(true|false)$/,
  'Gather.method': /^(GET|POST)$/,
  'Dial.method': /^(GET|POST)$/,
  'Dial.timeout': /^\d+$/,
  'Say.language': /^(cmn-CN|en-US)$/,
  'Say.voice': /^Polly\.[A-Za-z]+(-Neural)?$/,
  'prosody.rate': /^(\d+%|x-slow|slow|medium|fast|x-fast)$/,
  'break.time': /^\d+(\.\d+)?(ms|s)$/,
  'say-as.interpret-as': /^(characters|spell-out|cardinal|number|ordinal|digits|fraction|unit|date|time|address|expletive|telephone)$/,
};

/** Parses TwiML and checks it against the allow-list; returns the <Response>. */
export function twiml(xml: string): XmlNode {
  expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
  const body = xml.replace(/^<\?xml[^?]*\?>/, '');
  expect(checkWellFormed(body)).toBeNull();
  const root: XmlNode = { name: '#document', attrs: {}, children: [] };
  const stack = [root];
  for (const m of body.matchAll(/<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>|([^<]+)/g)) {
    const top = stack[stack.length - 1]!;
    if (m[5] !== undefined) {
      top.children.push(decode(m[5]));
    } else if (m[1]) {
      stack.pop();
    } else {
      const node: XmlNode = { name: m[2]!, attrs: Object.fromEntries([...(m[3] ?? '').matchAll(/([\w:-]+)="([^"]*)"/g)].map((a) => [a[1]!, decode(a[2]!)])), children: [] };
      top.children.push(node);
      if (!m[4]) stack.push(node);
    }
  }
  const response = root.children[0] as XmlNode;
  expect(response.name).toBe('Response');
  const check = (node: XmlNode) => {
    const rule = DOCUMENTED[node.name];
    expect(rule, `<${node.name}> is not documented TwiML`).toBeDefined();
    for (const [attr, value] of Object.entries(node.attrs)) {
      expect(rule!.attrs, `<${node.name} ${attr}>`).toContain(attr);
      const pattern = VALUES[`${node.name}.${attr}`];
      if (pattern) expect(value, `<${node.name} ${attr}="${value}">`).toMatch(pattern);
    }
    for (const child of node.children) {
      if (typeof child === 'string') {
        if (child.trim()) expect(rule!.children, `text inside <${node.name}>`).toContain('#text');
      } else {
        expect(rule!.children, `<${child.name}> inside <${node.name}>`).toContain(child.name);
        check(child);
      }
    }
  };
  check(response);
  return response;
}

export function find(node: XmlNode, name: string): XmlNode[] {
  const found: XmlNode[] = [];
  for (const child of node.children) {
    if (typeof child === 'string') continue;
    if (child.name === name) found.push(child);
    found.push(...find(child, name));
  }
  return found;
}

/** Words only: SSML markup and spaces removed, to compare what is heard. */
export const squash = (s: string) => s.replace(/<[^>]+>/g, '').replace(/\s+/g, '');

export function textOf(node: XmlNode | string): string {
  return typeof node === 'string' ? node : node.children.map(textOf).join('');
}
