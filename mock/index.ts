/** apitwin's programmatic API: embed the twin in your own tests. */
export { createTwin, startTwin, DEFAULT_PORTS, VERSION } from './app.ts';
export type { Twin, TwinOptions, RunningTwin, StartOptions, ListenerName } from './app.ts';
export type { SynqlyCredentials, ConnxioCredentials } from './admin/tenants/lifecycle.ts';
export { Store } from './core/store/store.ts';
export { createClock } from './core/clock.ts';
export { createRandom } from './core/random.ts';
export { compileSpec, compiledSpecPath, precompiledChecksPath, writeCompiledSpec, loadSpec } from './core/spec.ts';
export { standaloneChecks } from './core/standalone-validators.ts';
