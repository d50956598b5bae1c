/** Close matches of a misspelt name among the known ones, for "did you mean …?" hints. */

function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return d[b.length]!;
}

export function closeMatches(value: string, known: string[], max = 5): string[] {
  const v = value.toLowerCase();
  return known
    .map((k) => ({ k, score: k.toLowerCase().includes(v) || v.includes(k.toLowerCase()) ? 0 : distance(v, k.toLowerCase()) }))
    .filter((x) => x.score <= Math.max(3, Math.floor(v.length / 3)))
    .sort((a, b) => a.score - b.score || a.k.localeCompare(b.k))
    .slice(0, max)
    .map((x) => x.k);
}
