import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './durations.ts';

describe('durations › parse', () => {
  it('reads Go-style and day durations', () => {
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(parseDuration('10m')).toBe(600_000);
  });
  it('refuses anything else', () => {
    for (const bad of ['', 'h', '10', '1 hour', '-5m', '5x']) expect(parseDuration(bad)).toBeUndefined();
  });
  it('formats in the largest whole unit', () => {
    expect(formatDuration(86_400_000)).toBe('24h');
    expect(formatDuration(600_000)).toBe('10m');
    expect(formatDuration(1500)).toBe('2s');
  });
  it('writes a duration exact in no single unit as hours, minutes and seconds, and reads it back', () => {
    expect(formatDuration(3_599_000)).toBe('59m59s');
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(315_359_900_000)).toBe('87599h58m20s');
    expect(formatDuration(3_601_000)).toBe('1h1s');
    expect(formatDuration(59_700)).toBe('1m');
    for (const ms of [3_599_000, 315_359_900_000, 3_601_000, 61_000]) expect(parseDuration(formatDuration(ms))).toBe(ms);
  });
});
