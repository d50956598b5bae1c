// `npm run lint:specs`: Spectral, with the ruleset kept in the repo (.spectral.yaml), over every
// OpenAPI document in specs/ (files there without a top-level `openapi` are data, not specs).
// Extra arguments go to `spectral lint` (e.g. `npm run lint:specs -- --format json`).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const specs = readdirSync(join(root, 'specs'))
  .filter((f) => /\.(ya?ml|json)$/.test(f))
  .filter((f) => /^["']?openapi["']?\s*:/m.test(readFileSync(join(root, 'specs', f), 'utf8')))
  .sort()
  .map((f) => join('specs', f));

const require = createRequire(import.meta.url);
const manifest = require.resolve('@stoplight/spectral-cli/package.json');
const bin = join(dirname(manifest), JSON.parse(readFileSync(manifest, 'utf8')).bin.spectral);

const res = spawnSync(process.execPath, [bin, 'lint', '--ruleset', '.spectral.yaml', '--fail-severity', 'error', ...process.argv.slice(2), ...specs], {
  cwd: root,
  stdio: 'inherit',
});
if (res.error) throw res.error;
process.exit(res.status ?? 1);
