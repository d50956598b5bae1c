// What a build was made from: a fingerprint of every input file (path, size, modification time),
// written to dist/.build-stamp by a successful build. `node scripts/build.mjs --if-stale` (npm start)
// builds only when the fingerprint changed, so a second start does not rebuild.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** the folders and files the build reads */
export const BUILD_INPUTS = ['mock', 'specs', 'fixtures', 'conformance', 'scripts/build.mjs', 'scripts/bundle-options.mjs', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.types.json'];
// mock/generated is the build's own output (types from specs/, which is an input)
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.git', 'reports', '.apitwin', 'generated']);

export function stampPath(root) {
  return join(root, 'dist', '.build-stamp');
}

export function fingerprint(root) {
  const hash = createHash('sha256');
  const visit = (path) => {
    if (!existsSync(path)) return;
    const st = statSync(path);
    if (st.isDirectory()) {
      for (const name of readdirSync(path).sort()) if (!SKIPPED_DIRS.has(name)) visit(join(path, name));
    } else {
      hash.update(`${relative(root, path)}\0${st.size}\0${st.mtimeMs}\n`);
    }
  };
  for (const input of BUILD_INPUTS) visit(join(root, input));
  return hash.digest('hex');
}

/** whether dist/ was built from the sources as they are now */
export function isFresh(root) {
  const stamp = stampPath(root);
  if (!existsSync(stamp) || !existsSync(join(root, 'dist', 'cli.js'))) return false;
  return readFileSync(stamp, 'utf8').trim() === fingerprint(root);
}

export function writeStamp(root, print = fingerprint(root)) {
  writeFileSync(stampPath(root), `${print}\n`);
}
