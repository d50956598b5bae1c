import { scryptSync, timingSafeEqual } from 'node:crypto';
import { errors } from '../../core/errors.ts';

/**
 * Member secrets: stored only as scrypt hashes (node:crypto, a random salt per secret) in the form
 * `scrypt$N$r$p$<salt b64url>$<hash b64url>`; verified in constant time. Password rules from the
 * contract: at least the organization's minimum length (8 by default), fewer than 72 characters,
 * not trivially weak.
 */

const N = 16_384;
const R = 8;
const P = 1;
const KEY_BYTES = 32;

export function hashPassword(secret: string, salt: Buffer): string {
  const hash = scryptSync(secret.normalize('NFC'), salt, KEY_BYTES, { N, r: R, p: P });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export function verifyPassword(secret: string, stored: string): boolean {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, salt, hash] = parts;
  const expected = Buffer.from(hash, 'base64url');
  const actual = scryptSync(secret.normalize('NFC'), Buffer.from(salt, 'base64url'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * a hash that never matches, verified when the member name is unknown so that timing reveals nothing:
 * hashPassword('apitwin-no-such-member', Buffer.alloc(16)), written out so startup does not pay one
 * scrypt for it (passwords.test.ts checks it is that hash)
 */
export const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$lxpnZ5QRZxdFl1iTxFTrFL-0m0OFJE87ZJg14dlRIpk';

/** the most common passwords of leaked lists (8+ characters), refused as "weak or leaked" */
const COMMON = new Set([
  'password', 'password1', 'password12', 'password123', 'password!', 'passw0rd', 'p@ssw0rd', 'p@ssword', '12345678', '123456789',
  '1234567890', '11111111', '00000000', '87654321', 'qwertyui', 'qwerty123', 'qwertyuiop', 'iloveyou', 'sunshine', 'princess',
  'football', 'baseball', 'welcome1', 'welcome123', 'letmein1', 'trustno1', 'superman', 'starwars', 'computer', 'whatever',
  'abcd1234', 'abc12345', 'abcdefgh', 'asdfghjk', 'asdf1234', 'zaq12wsx', '1q2w3e4r', '1qaz2wsx', 'changeme', 'changeme1',
  'administrator', 'admin123', 'admin1234', 'synqly123', 'secret123', 'master123', 'dragon123', 'monkey123', 'shadow123', 'michael1',
]);

const SEQUENCES = ['abcdefghijklmnopqrstuvwxyz', '0123456789', 'qwertyuiopasdfghjklzxcvbnm'];

function isSequence(lower: string): boolean {
  return SEQUENCES.some((seq) => seq.includes(lower) || [...seq].reverse().join('').includes(lower));
}

export interface PasswordPolicy {
  minLength: number;
  /** the member name (and its email local part) may not be the password */
  memberName?: string;
}

/** 400 naming `pointer` unless `secret` follows the rules. */
export function assertPasswordRules(secret: string, policy: PasswordPolicy, pointer: string): void {
  const fail = (why: string) => errors.badRequest(`${pointer.slice(1)} ${why}`, { parameter: { id: pointer, location: 'body' } });
  const length = [...secret].length;
  if (length < policy.minLength) throw fail(`must be at least ${policy.minLength} characters long`);
  if (length >= 72) throw fail('must be fewer than 72 characters long');
  const lower = secret.toLowerCase();
  if (COMMON.has(lower)) throw fail('is a commonly used (leaked) password; choose another');
  if (new Set(lower).size <= 2) throw fail('is too weak: it repeats one or two characters');
  if (isSequence(lower)) throw fail('is too weak: it is a keyboard or alphabet sequence');
  if (policy.memberName) {
    const name = policy.memberName.toLowerCase();
    const local = name.split('@')[0] ?? name;
    if (lower === name || (local.length >= 4 && lower.includes(local))) throw fail('is too weak: it contains the member name');
  }
}
