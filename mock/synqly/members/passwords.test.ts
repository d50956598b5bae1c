import { describe, expect, it } from 'vitest';
import { ApiError } from '../../core/errors.ts';
import { assertPasswordRules, DUMMY_HASH, hashPassword, verifyPassword } from './passwords.ts';

describe('member passwords', () => {
  it('hash with scrypt and a per-secret salt; verify in constant time', () => {
    const a = hashPassword('c0rrect-h0rse-battery', Buffer.from('0123456789abcdef'));
    const b = hashPassword('c0rrect-h0rse-battery', Buffer.from('fedcba9876543210'));
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('h0rse');
    expect(verifyPassword('c0rrect-h0rse-battery', a)).toBe(true);
    expect(verifyPassword('c0rrect-h0rse-batterY', a)).toBe(false);
    expect(verifyPassword('anything', 'sha256$abc')).toBe(false);
  });

  it('enforce the contract\'s rules', () => {
    const status = (secret: string, minLength = 8, memberName?: string) => {
      try {
        assertPasswordRules(secret, { minLength, memberName }, '/secret');
        return 200;
      } catch (err) {
        return (err as ApiError).status;
      }
    };
    expect(status('c0rrect-h0rse-battery')).toBe(200);
    expect(status('short1!')).toBe(400);
    expect(status('c0rrect-h0rse', 14)).toBe(400);
    expect(status('x'.repeat(71) + 'y')).toBe(400);
    expect(status('Password123')).toBe(400);
    expect(status('abababababab')).toBe(400);
    expect(status('9876543210')).toBe(400);
    expect(status('alice.smith-2026', 8, 'alice.smith@example.com')).toBe(400);
  });

  it('DUMMY_HASH is the hash it says it is (precomputed so startup skips one scrypt)', () => {
    expect(DUMMY_HASH).toBe(hashPassword('apitwin-no-such-member', Buffer.alloc(16)));
    expect(verifyPassword('apitwin-no-such-member', DUMMY_HASH)).toBe(true);
  });
});
