import { describe, expect, it } from 'vitest';
import { createRandom } from './random.ts';
import { createRateLimits } from './rate-limits.ts';

describe('rate limits', () => {
  it('counts per credential in fixed windows aligned on the clock, with the X-RateLimit headers', () => {
    const limits = createRateLimits(createRandom(1));
    limits.add({ vendor: 'synqly', limit: 2, windowSeconds: 10 });
    const t0 = 1_700_000_000_000; // a window boundary
    expect(limits.check('synqly', 'accounts_list', 'tok-a', t0)).toEqual({ headers: { 'X-RateLimit-Limit': '2', 'X-RateLimit-Remaining': '1', 'X-RateLimit-Reset': String(t0 / 1000 + 10) } });
    expect(limits.check('synqly', 'accounts_get', 'tok-a', t0 + 1000)?.retryAfterSeconds).toBeUndefined();
    const over = limits.check('synqly', 'accounts_get', 'tok-a', t0 + 2500)!;
    expect(over.retryAfterSeconds).toBe(8);
    expect(over.headers['X-RateLimit-Remaining']).toBe('0');
    expect(limits.check('synqly', 'accounts_get', 'tok-b', t0 + 2500)?.retryAfterSeconds).toBeUndefined();
    expect(limits.check('synqly', 'accounts_get', 'tok-a', t0 + 10_000)?.headers['X-RateLimit-Remaining']).toBe('1');
    expect(limits.check('connxio', 'list_integrations', 'key', t0)).toBeUndefined();
  });

  it('matches the first rule by vendor and operationId; removing a rule drops its counters', () => {
    const limits = createRateLimits(createRandom(2));
    const only = limits.add({ vendor: 'connxio', operationId: 'send_message', limit: 1, windowSeconds: 60 });
    limits.add({ vendor: 'connxio', limit: 100, windowSeconds: 60 });
    expect(limits.check('connxio', 'send_message', 'k', 0)?.headers['X-RateLimit-Limit']).toBe('1');
    expect(limits.check('connxio', 'send_message', 'k', 1)?.retryAfterSeconds).toBe(60);
    expect(limits.check('connxio', 'list_integrations', 'k', 1)?.headers['X-RateLimit-Limit']).toBe('100');
    expect(limits.remove(only.id)).toBe(true);
    expect(limits.remove(only.id)).toBe(false);
    expect(limits.check('connxio', 'send_message', 'k', 2)?.headers['X-RateLimit-Limit']).toBe('100');
    limits.clear();
    expect(limits.list()).toEqual([]);
    expect(limits.check('connxio', 'send_message', 'k', 3)).toBeUndefined();
  });
});
