import { createHmac, randomBytes } from 'node:crypto';

/**
 * The twin's only source of randomness: HMAC-SHA256 in counter mode under a key derived from the
 * seed. The same seed gives the same ids and secrets in the same order; without a seed the key is
 * drawn from the OS, so secrets carry 256 bits of real entropy.
 */
export interface Random {
  bytes(n: number): Buffer;
  /** RFC 4122 version 4 UUID */
  uuid(): string;
  /** integer in [0, maxExclusive) */
  int(maxExclusive: number): number;
  /** opaque secret: 32 random bytes, base64url */
  secret(): string;
}

export function createRandom(seed?: string | number): Random {
  const key = seed === undefined ? randomBytes(32) : Buffer.from(`apitwin:${String(seed)}`);
  let counter = 0n;
  let pool = Buffer.alloc(0);
  const bytes = (n: number): Buffer => {
    while (pool.length < n) {
      const block = createHmac('sha256', key).update(counter.toString(16)).digest();
      counter++;
      pool = Buffer.concat([pool, block]);
    }
    const out = pool.subarray(0, n);
    pool = pool.subarray(n);
    return Buffer.from(out);
  };
  return {
    bytes,
    uuid() {
      const b = bytes(16);
      b[6] = (b[6]! & 0x0f) | 0x40;
      b[8] = (b[8]! & 0x3f) | 0x80;
      const h = b.toString('hex');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    },
    int(maxExclusive) {
      if (maxExclusive <= 0) return 0;
      // rejection sampling keeps the distribution uniform
      const limit = Math.floor(0x1_0000_0000 / maxExclusive) * maxExclusive;
      for (;;) {
        const v = bytes(4).readUInt32BE(0);
        if (v < limit) return v % maxExclusive;
      }
    },
    secret: () => bytes(32).toString('base64url'),
  };
}
