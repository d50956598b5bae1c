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
});
