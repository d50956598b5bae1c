import type jsonata from 'jsonata';
import { lazyDependency } from '../../core/lazy-dependency.ts';
import { errors } from '../../core/errors.ts';
import type { Random } from '../../core/random.ts';

/**
 * The mapping language of the twin: a mapping's `data` is one JSONata expression
 * (https://jsonata.org, the `jsonata` package), evaluated with the previous result as its input.
 * Deterministic: `$now()`/`$millis()` read the twin's clock, `$random()`/`$shuffle()` its seeded
 * generator. Bounded: evaluation stops after EVAL_TIMEOUT_MS or STACK_DEPTH nested calls, and a
 * result larger than MAX_RESULT_BYTES is refused. See notes/mapping-language.md.
 */

export const EVAL_TIMEOUT_MS = 1000;
export const STACK_DEPTH = 300;
export const MAX_SEQUENCE = 100_000;
export const MAX_RESULT_BYTES = 1024 * 1024;
export const MAX_PROGRAM_CHARS = 64 * 1024;

interface JsonataFailure {
  code?: string;
  position?: number;
  message?: string;
  token?: string;
}

function describe(err: unknown): string {
  const e = err as JsonataFailure; // jsonata throws plain objects carrying position and token
  const where = typeof e.position === 'number' ? ` at position ${e.position}` : '';
  return `${e.message ?? String(err)}${e.code ? ` (JSONata ${e.code}${where})` : ''}`;
}

const loadJsonata = lazyDependency<typeof jsonata>('jsonata');

function compile(program: string): jsonata.Expression {
  return loadJsonata()(program, { timeout: EVAL_TIMEOUT_MS, stack: STACK_DEPTH, sequence: MAX_SEQUENCE });
}

/** Checks that `program` parses; throws a 400 naming the body field otherwise. */
export function assertValidProgram(program: string, pointer = '/data'): void {
  if (program.length > MAX_PROGRAM_CHARS) {
    throw errors.badRequest(`${pointer.slice(1)} is longer than ${MAX_PROGRAM_CHARS} characters`, { parameter: { id: pointer, location: 'body' } });
  }
  try {
    compile(program);
  } catch (err) {
    throw errors.badRequest(`${pointer.slice(1)} is not a valid mapping (a JSONata expression): ${describe(err)}`, {
      parameter: { id: pointer, location: 'body', value: program },
      remediation: 'write a JSONata expression, e.g. {"sprint": fields.customfield_10020}; see the README section "Mapping language"',
    });
  }
}

export interface EvalEnv {
  nowMs: number;
  random: Random;
}

function unitRandom(random: Random): number {
  return random.bytes(6).readUIntBE(0, 6) / 2 ** 48;
}

/**
 * Evaluates one mapping over `input`. Returns the result as plain JSON (JSONata sequences and
 * functions flattened away by a JSON round trip); `undefined` when the expression matched nothing.
 */
export async function evaluateProgram(program: string, input: unknown, env: EvalEnv): Promise<unknown> {
  const expr = compile(program);
  expr.registerFunction(
    'now',
    function (this: jsonata.Focus, picture?: string, timezone?: string) {
      // jsonata's environment lookup is untyped; fromMillis is its built-in function
      const fromMillis = this.environment.lookup('fromMillis') as { implementation: (ms: number, p?: string, tz?: string) => string };
      return fromMillis.implementation(env.nowMs, picture, timezone);
    },
    '<s?s?:s>',
  );
  expr.registerFunction('millis', () => env.nowMs, '<:n>');
  expr.registerFunction('random', () => unitRandom(env.random), '<:n>');
  expr.registerFunction(
    'shuffle',
    (arr: unknown) => {
      if (arr === undefined) return undefined;
      const out = Array.isArray(arr) ? [...arr] : [arr];
      for (let i = out.length - 1; i > 0; i--) {
        const j = env.random.int(i + 1);
        [out[i], out[j]] = [out[j], out[i]];
      }
      return out;
    },
    '<a:a>',
  );
  const result = await expr.evaluate(input);
  if (result === undefined) return undefined;
  const text = JSON.stringify(result);
  if (text === undefined) return undefined;
  if (Buffer.byteLength(text) > MAX_RESULT_BYTES) throw new Error(`the result is larger than ${MAX_RESULT_BYTES} bytes`);
  return JSON.parse(text);
}

export { describe as describeEvaluationError };
