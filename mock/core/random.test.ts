import { describe, expect, it } from 'vitest';
import { createRandom } from './random.ts';
import { createClock } from './clock.ts';

describe('random › seeded', () => {
  it('reproduces the same ids and secrets for the same seed, and others for another seed', () => {
    const a = createRandom(7);
    const b = createRandom(7);
    const c = createRandom(8);
    const draw = (r: ReturnType<typeof createRandom>) => [r.uuid(), r.secret(), r.int(1000)];
    const first = draw(a);
    expect(draw(b)).toEqual(first);
    expect(draw(c)).not.toEqual(first);
  });

  it('makes version 4 UUIDs and 256-bit base64url secrets', () => {
    const r = createRandom();
    expect(r.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const secret = r.secret();
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('keeps int() inside its range', () => {
    const r = createRandom(1);
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) seen.add(r.int(5));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('clock › control', () => {
  it('advances and sets time on a running clock', () => {
    let real = 1_000_000;
    const clock = createClock({ realNow: () => real });
    expect(clock.now()).toBe(1_000_000);
    clock.advance(60_000);
    real += 5;
    expect(clock.now()).toBe(1_060_005);
    clock.set(Date.parse('2030-01-01T00:00:00Z'));
    expect(clock.nowIso()).toBe('2030-01-01T00:00:00.000Z');
  });

  it('stands still when frozen', () => {
    const clock = createClock({ start: 0, frozen: true });
    expect(clock.now()).toBe(0);
    clock.advance(10);
    expect(clock.now()).toBe(10);
  });
});
