import { hash, timingSafeEqual } from 'node:crypto';

/** Secrets are kept only as SHA-256 hashes; lookups go by hash, comparisons in constant time. */
export function hashSecret(secret: string): string {
  return hash('sha256', secret, 'hex'); // one-shot: no Hash object per call (every request hashes its bearer)
}

export function sameHash(storedHex: string, candidateHex: string): boolean {
  const a = Buffer.from(storedHex, 'hex');
  const b = Buffer.from(candidateHex, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
