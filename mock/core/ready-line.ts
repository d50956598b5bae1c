import type { ChildProcess } from 'node:child_process';

/**
 * The ready line of an `apitwin serve --json` child: the first line it writes to stdout, parsed
 * (its URLs, tenants…). Rejects with `failure(reason, output)` when the child exits first or
 * writes no line within `timeoutMs`; `reason` reads "did not get ready in 30 s" or "exited with 1
 * before it was ready", `output` is what it wrote meanwhile.
 */
export function readyLine<T>(child: ChildProcess, timeoutMs: number, failure: (reason: string, output: string) => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let out = '';
    let settled = false;
    const settle = (then: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      then();
    };
    const timer = setTimeout(() => settle(() => reject(failure(`did not get ready in ${timeoutMs / 1000} s`, out))), timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      if (settled) return;
      out += d.toString();
      const nl = out.indexOf('\n');
      // the line is apitwin's own JSON, whose shape the caller names
      if (nl >= 0) settle(() => resolve(JSON.parse(out.slice(0, nl)) as T));
    });
    child.once('exit', (code) => settle(() => reject(failure(`exited with ${code} before it was ready`, out))));
  });
}
