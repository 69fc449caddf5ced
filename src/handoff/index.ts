export * from './types.js';
export { PersistentHandoffService, HandoffTakenError, UnknownHandoffError, type HandoffDeps, type HandoffSummary, type NewHandoff } from './service.js';
