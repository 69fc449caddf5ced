import type express from 'express';

/*
 * The routes an express 5 app really serves, read from its router stack, so tests that must
 * cover "every route" cover the ones added after them too. Relies on router 2's layers: a
 * route layer has `route` (`path`, `methods`), a mounted router has `handle.stack`, and every
 * layer keeps the path it was registered with as `rawPath`.
 */

export interface AppRoute {
  /** Upper-case methods; `ALL` for `router.all`. */
  methods: string[];
  /** The full path pattern, e.g. `/api/clerk/handoffs/:id/accept`. */
  path: string;
}

export interface AppMount {
  /** A middleware with a path of its own that is not a router, e.g. express.static at `/chat/assets`. */
  path: string;
  name: string;
}

interface Layer {
  name?: string;
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

function join(prefix: string, path: string): string {
  const joined = `${prefix}/${path}`.replace(/\/+/g, '/');
  return joined.length > 1 ? joined.replace(/\/$/, '') : joined;
}

function pathsOf(raw: unknown): string[] {
  if (typeof raw === 'string') return [raw];
  if (Array.isArray(raw)) return raw.flatMap(pathsOf);
  // A RegExp path cannot be listed as a pattern; say so rather than skip it silently.
  throw new Error(`a route registered with a non-string path (${String(raw)}): list it by hand`);
}

/** Every route and every path-bound middleware of the app, in registration order. */
export function listRoutes(app: express.Express): { routes: AppRoute[]; mounts: AppMount[] } {
  const routes: AppRoute[] = [];
  const mounts: AppMount[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const methods = Object.keys(layer.route.methods).map((m) => (m === '_all' ? 'ALL' : m.toUpperCase()));
        for (const path of pathsOf(layer.route.path)) routes.push({ methods, path: join(prefix, path) });
        continue;
      }
      const paths = pathsOf(layer.rawPath ?? '/');
      if (layer.handle?.stack) {
        for (const path of paths) walk(layer.handle.stack, join(prefix, path));
        continue;
      }
      for (const path of paths) if (path !== '/') mounts.push({ path: join(prefix, path), name: layer.name ?? '' });
    }
  };
  const router = (app as unknown as { router: { stack: Layer[] } }).router;
  walk(router.stack, '');
  return { routes, mounts };
}
