import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRISM_READ_ONLY } from './prism-read-only.ts';
import { binOf, root, runNode } from './processes.ts';

/**
 * Prism as a target: `npm run test:prism-target` — the read-only scenarios of prism-read-only.ts,
 * as the live target against Prism's stateless mock — run as a separate vitest process; every
 * listed scenario must have run and passed (a renamed or vanished scenario fails here instead of
 * silently dropping out of the run).
 */

interface JsonReport {
  success: boolean;
  testResults: Array<{ name: string; assertionResults: Array<{ ancestorTitles: string[]; title: string; status: string; failureMessages: string[] }> }>;
}

describe('the read-only scenarios against Prism', () => {
  it('all pass with Prism serving specs/ as the target', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'apitwin-prism-target-'));
    try {
      const out = join(dir, 'report.json');
      const env: NodeJS.ProcessEnv = {};
      for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('VITEST') && !k.startsWith('APITWIN_') && !/^(SYNQLY|CONNXIO)_/.test(k)) env[k] = v;
      const res = await runNode(binOf('vitest', 'vitest'), ['run', '--config', 'conformance/spec-checks/prism-target.config.ts', '--reporter=json', `--outputFile=${out}`], {
        timeoutMs: 110_000,
        env,
      });
      const report = JSON.parse(readFileSync(out, 'utf8')) as JsonReport;
      const outcome = new Map<string, string>();
      const failures: string[] = [];
      for (const file of report.testResults) {
        const rel = file.name.replace(`${root}/`, '');
        for (const a of file.assertionResults) {
          const name = `${rel} :: ${[...a.ancestorTitles, a.title].join(' > ')}`;
          outcome.set(name, a.status);
          if (a.status === 'failed') failures.push(`${name}: ${a.failureMessages[0]?.split('\n')[0]}`);
        }
      }
      expect(failures).toEqual([]);
      const listed = Object.entries(PRISM_READ_ONLY).flatMap(([file, names]) => names.map((n) => `${file} :: ${n}`));
      expect(listed.filter((n) => outcome.get(n) !== 'passed').map((n) => `${n}: ${outcome.get(n) ?? 'did not run'}`)).toEqual([]);
      // nothing else ran: the name pattern selects exactly the list
      expect([...outcome].filter(([, status]) => status === 'passed').map(([n]) => n).sort()).toEqual([...listed].sort());
      expect(res.status, res.stderr.slice(-2000)).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
