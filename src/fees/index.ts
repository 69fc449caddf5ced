export {
  checkFeeSettings, DEFAULT_FEE_SETTINGS, estimateFee, FEE_RULES, feeFields, halfFen, propertyFee, propertyFeeFen, sumAnswersFen,
} from './rules.js';
export type { FeeEstimate, FeeRule, FeeSettings, FeeSpec } from './rules.js';
export { fenToYuan, toFen } from './fen.js';
export { buildChecklist, defendantCount } from './checklist.js';
