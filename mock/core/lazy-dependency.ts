import { createRequire } from 'node:module';

/**
 * A runtime dependency loaded the first time a request needs it, not when the twin starts: Node's
 * own `require` reads it from node_modules (the bundle leaves it out), so a start never compiles
 * the YAML, JSONata, XML or JSONPath libraries that only some operations use. Each of them ships a
 * CommonJS build; the first call pays its loading (a few to ~60 ms), later calls nothing.
 */
const requireDependency = createRequire(import.meta.url);

export function lazyDependency<T>(name: string): () => T {
  let loaded: T | undefined;
  // require answers `any`; the caller names the module's type as `typeof import('<name>')`
  return () => (loaded ??= requireDependency(name) as T);
}
