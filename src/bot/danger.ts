/**
 * Words that may mean the filer is in danger now. A match puts them first in the clerk
 * queue and tells them at once how to get emergency help; a false alarm costs only a
 * clerk's early call, a miss could cost much more, so the list leans wide.
 */
const ZH = ['家暴', '家庭暴力', '打我', '打死', '被打', '威胁', '恐吓', '想死', '不想活', '活不下去', '自杀', '杀了我', '要杀', '轻生', '寻死', '跳楼', '喝药'];
const EN = [
  'violence', 'violent', 'abuse', 'abusive', 'beats me', 'beat me', 'beating me', 'hits me', 'hit me', 'hurts me', 'hurt me', 'threaten',
  'kill me', 'kill myself', 'suicide', 'want to die', 'end my life', 'end it all',
];

export function soundsLikeDanger(utterance: string): boolean {
  if (!utterance) return false;
  const text = utterance.normalize('NFKC').toLowerCase().slice(0, 5000);
  return ZH.some((w) => text.includes(w)) || EN.some((w) => new RegExp(`\\b${w}`).test(text));
}
