export { buildDocumentModel, cleanText } from './model.js';
export type { AnswerTree, DocumentModel, DocumentModelOptions, FormatAnswer } from './model.js';
export { createDocumentRenderer } from './renderer.js';
export type { DocumentRenderer, DocumentRendererOptions, RenderMode } from './renderer.js';
export { documentRoutes, newDocumentToken } from './routes.js';
export type { DocumentRoutesOptions } from './routes.js';
