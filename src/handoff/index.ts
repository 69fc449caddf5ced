export * from './types.js';
export { PersistentHandoffService, HandoffTakenError, UnknownHandoffError, type HandoffDeps, type NewHandoff } from './service.js';
