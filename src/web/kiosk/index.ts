import path from 'node:path';
import { findProjectRoot } from '../bundle.js';

/** The kiosk page (/kiosk) and its settings route (/api/kiosk/config). */
export { kioskRoutes, type KioskRouteOptions } from './routes.js';
export { KIOSK_LABELS, type KioskLabel } from './labels.js';
export { neededPictograms, pictogramName, loadPictograms, TOOL_PICTOGRAMS, type NeededPictogram } from './pictograms.js';

/**
 * Where the page's files are: src/web/kiosk at the project root, whether the server runs from
 * src/ (tsx, vitest) or from dist/src/ (npm start), since the build copies only TypeScript.
 */
export function kioskAssetsDir(): string {
  return path.join(findProjectRoot(import.meta.dirname), 'src', 'web', 'kiosk');
}
