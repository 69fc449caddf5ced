export { judgeRetention, mayBeDue, type PurgeAction, type RetentionContext, type RetentionPolicy, type RetentionVerdict } from './rules.js';
export { RetentionService, type RetentionDeps, type RetentionRun } from './service.js';
