// Measures `apitwin serve` from process spawn to "all listeners accepting" (the ready line),
// on a fresh memory store and on an existing file store. Prints figures; asserts nothing.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cli = join(import.meta.dirname, '..', 'dist', 'cli.js');
const runs = Number(process.argv[2] ?? 10);

function once(args) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [cli, 'serve', '--json', '--synqly-port', '0', '--connxio-port', '0', '--custom-port', '0', '--log-level', 'warn', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.once('data', () => {
      const ms = performance.now() - t0;
      child.once('exit', () => resolve(ms));
      child.kill('SIGTERM');
    });
    child.once('error', reject);
  });
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)].toFixed(0), min: s[0].toFixed(0), max: s[s.length - 1].toFixed(0) };
};
const db = join(mkdtempSync(join(tmpdir(), 'apitwin-ready-')), 'db.json');
await once(['--db', db]); // first start seeds the file
const memory = [];
const file = [];
for (let i = 0; i < runs; i++) {
  memory.push(await once(['--memory', '--profile', 'empty']));
  file.push(await once(['--db', db]));
}
console.log(`spawn → ready (ms, ${runs} runs): memory/empty ${JSON.stringify(stats(memory))}; file/demo restart ${JSON.stringify(stats(file))}`);
