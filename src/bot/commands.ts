/**
 * The words of CONTRACT §5 that work at every question, in either language whatever the
 * turn's locale (a bilingual filer may mix them).
 */
export type Command = 'help' | 'repeat' | 'back' | 'person' | 'restart' | 'slower' | 'skip' | 'keep';

const EXACT: Record<Command, string[]> = {
  help: ['帮助', '帮忙', '怎么说', '不会', '不懂', '听不懂', '什么意思', 'help', 'what', 'i dont understand', 'i do not understand', '?', '？'],
  repeat: ['重复', '再说一遍', '再说一次', '再讲一遍', '再说一下', '没听清', '没听清楚', '重说', 'repeat', 'again', 'say again', 'say it again', 'pardon', 'sorry what'],
  back: ['上一步', '返回', '回去', '上一个', '上一题', '退回', '后退', 'back', 'go back', 'previous', 'undo'],
  person: ['人工', '转人工', '人工服务', '找人', '真人', '工作人员', '找工作人员', '找法官', '客服', 'person', 'human', 'clerk', 'agent', 'operator', 'a person', 'real person', 'speak to a person', 'talk to a person', 'staff'],
  restart: ['重新开始', '重来', '从头开始', '从头来', '重新来', 'start over', 'restart', 'start again', 'begin again'],
  slower: ['慢一点', '慢点', '说慢点', '说慢一点', '太快了', '慢些', 'slower', 'slow down', 'too fast', 'speak slower', 'more slowly'],
  skip: ['跳过', '不知道', '不清楚', '不记得', '不记得了', '记不清', '记不清了', '忘了', '没有', 'skip', 'dont know', 'do not know', "don't know", 'i dont know', "i don't know", 'not sure', 'no idea', 'none', 'pass'],
  keep: ['不改', '不用改', '保留', '不变', '一样', '对的不改', 'keep', 'same', 'no change', 'unchanged', 'keep it'],
};

/** Words a filer may wrap around a command without changing it: 请帮助, 我要转人工, please help. */
const FILLERS = /^(请|麻烦|我要|我想|我想要|帮我|给我|能不能|可以|please|i want to|i want|i'd like to|i would like to|can i|could you|let me|let's)\s*|\s*(吧|了|呢|啊|吗|一下|please|thanks|thank you)$/giu;

const PERSON_INSIDE = ['转人工', '工作人员', '真人', 'real person', 'a human', 'speak to a clerk', 'talk to a clerk'];

function normalize(text: string): string {
  let t = text.normalize('NFKC').toLowerCase().trim().replace(/[\s.,!。，！、~～…]+$/gu, '').replace(/^[\s.,!。，！、~～…]+/gu, '').replace(/\s+/g, ' ');
  t = t.replace(/[’']/g, "'");
  for (let i = 0; i < 3; i += 1) {
    const stripped = t.replace(FILLERS, '').trim();
    if (stripped === t || stripped === '') break;
    t = stripped;
  }
  return t;
}

const LOOKUP = new Map<string, Command>();
for (const [command, words] of Object.entries(EXACT) as [Command, string[]][]) {
  for (const word of words) LOOKUP.set(normalize(word), command);
}
// "没有" answers many yes/no questions; it only means "skip" where no confirm is asked.
const SKIP_ONLY_OUTSIDE_CONFIRM = new Set(['没有', 'none']);

/**
 * The command an utterance is, or null when it is an answer. `answerIsYesNo` keeps 没有 /
 * none as answers to yes/no questions.
 */
export function detectCommand(utterance: string, answerIsYesNo = false): Command | null {
  if (utterance.length > 60) return null;
  const t = normalize(utterance);
  if (!t) return null;
  const exact = LOOKUP.get(t);
  if (exact) {
    if (exact === 'skip' && answerIsYesNo && SKIP_ONLY_OUTSIDE_CONFIRM.has(t)) return null;
    return exact;
  }
  // Asking for a person must work however it is phrased.
  if (PERSON_INSIDE.some((w) => t.includes(w))) return 'person';
  return null;
}
