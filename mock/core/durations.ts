/** Durations as the vendors write them: Go-style `90m`, `24h`, `1h30m`, `1s`, plus `d` for days. */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const [, value, , unit] of trimmed.matchAll(/(\d+(\.\d+)?)(ms|s|m|h|d)/g)) total += Number(value) * UNIT_MS[unit!]!;
  return total;
}

/**
 * In the largest unit it is exact in (`24h`, `90m`, `1s`); otherwise, to the whole second, in
 * hours, minutes and seconds without the zero parts (`59m59s`, `87599h58m20s`: Go's duration
 * syntax, which `parseDuration` reads back).
 */
export function formatDuration(ms: number): string {
  if (ms % UNIT_MS.h! === 0) return `${ms / UNIT_MS.h!}h`;
  if (ms % UNIT_MS.m! === 0) return `${ms / UNIT_MS.m!}m`;
  const seconds = Math.round(ms / 1000);
  if (seconds % 60 === 0) return formatDuration(seconds * 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return `${h > 0 ? `${h}h` : ''}${m > 0 ? `${m}m` : ''}${seconds % 60}s`;
}
