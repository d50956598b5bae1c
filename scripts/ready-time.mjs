// Measures `apitwin serve` (the built dist/cli.js) from process spawn to its ready line, on a fresh
// memory store and on an existing demo file store (as `npm start` leaves it): the median, min and max
// of N runs, the part of it inside `serve` (the ready line's readyMs), and, on Linux, the CPU time the
// process used until then (all its threads, from /proc; less moved by other load on the machine than
// the wall time), and spawn → the answer to the first request sent on the ready line (an authenticated
// GET /v1/accounts?limit=1 when the store has a Synqly tenant, else /__admin/health). Prints figures; asserts nothing.
//   node scripts/ready-time.mjs [runs, default 10]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cli = join(import.meta.dirname, '..', 'dist', 'cli.js');
const runs = Number(process.argv[2] ?? 10);

/** CPU time of every thread of a live process, in ms (schedstat: nanoseconds on a CPU); undefined off Linux */
function cpuMs(pid) {
  const tasks = `/proc/${pid}/task`;
  if (!existsSync(tasks)) return undefined;
  let ns = 0;
  for (const task of readdirSync(tasks)) {
    try {
      ns += Number(readFileSync(join(tasks, task, 'schedstat'), 'utf8').split(' ')[0]);
    } catch {
      // a thread that ended meanwhile
    }
  }
  return ns / 1e6;
}

function once(args) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [cli, 'serve', '--json', '--synqly-port', '0', '--connxio-port', '0', '--custom-port', '0', '--log-level', 'warn', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      if (out.includes('\n')) return;
      out += chunk;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      const wall = performance.now() - t0;
      const cpu = cpuMs(child.pid);
      const ready = JSON.parse(out.slice(0, nl));
      // the first request: an authenticated API call (GET /v1/accounts?limit=1, as the bench's firstApiAnswerMs) when the
      // store has a Synqly tenant, which also loads that operation's request checks; else the admin health check
      const token = ready.tenants?.find((t) => t.vendor === 'synqly')?.credentials?.token;
      const first = token
        ? fetch(`${ready.urls.synqly}/v1/accounts?limit=1`, { headers: { authorization: `Bearer ${token}` } })
        : fetch(`${ready.urls.synqly}/__admin/health`);
      first.then(async (res) => {
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`the first request answered ${res.status}`);
        const answered = performance.now() - t0;
        child.once('exit', () => resolve({ wall, inside: ready.readyMs, cpu, answered, api: Boolean(token) }));
        child.kill('SIGTERM');
      }, reject);
    });
    child.once('error', reject);
  });
}

const stats = (xs) => {
  const s = xs.filter((x) => x !== undefined).sort((a, b) => a - b);
  if (s.length === 0) return '–';
  return `${s[Math.floor(s.length / 2)].toFixed(0)} (${s[0].toFixed(0)}–${s[s.length - 1].toFixed(0)})`;
};
const dir = mkdtempSync(join(tmpdir(), 'apitwin-ready-'));
const db = join(dir, 'db.json');
await once(['--db', db]); // the first start seeds the demo profile into the file
const cases = { 'memory store, empty profile': ['--memory', '--profile', 'empty'], 'demo file store, restarted': ['--db', db] };
const results = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
for (let i = 0; i < runs; i++) for (const [name, args] of Object.entries(cases)) results[name].push(await once(args));
rmSync(dir, { recursive: true, force: true });
console.log(`apitwin serve, spawn → ready line, ${runs} runs: median (min–max) ms`);
for (const [name, rs] of Object.entries(results)) {
  console.log(`  ${name}: wall ${stats(rs.map((r) => r.wall))}, inside serve ${stats(rs.map((r) => r.inside))}, CPU ${stats(rs.map((r) => r.cpu))}; first request (${rs.every((r) => r.api) ? 'GET /v1/accounts?limit=1' : rs.some((r) => r.api) ? 'mixed' : '/__admin/health'}) answered ${stats(rs.map((r) => r.answered))}`);
}
