import { hash } from 'node:crypto';

/** Secrets are kept only as SHA-256 hashes; lookups go by hash, comparisons in constant time. */
export function hashSecret(secret: string): string {
  return hash('sha256', secret, 'hex'); // one-shot: no Hash object per call (every request hashes its bearer)
}

/** whether two hex digests are equal, in time that depends on their length only (no buffers: every request compares its bearer's) */
export function sameHash(storedHex: string, candidateHex: string): boolean {
  if (storedHex.length !== candidateHex.length) return false;
  let diff = 0;
  for (let i = 0; i < storedHex.length; i++) diff |= storedHex.charCodeAt(i) ^ candidateHex.charCodeAt(i);
  return diff === 0;
}
