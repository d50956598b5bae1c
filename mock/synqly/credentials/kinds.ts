import type { CredentialKind } from '../state.ts';
import { isOneOf, keysOf } from '../../core/narrow.ts';

/**
 * Credential kinds as they appear inside provider configs: an inline secret
 * (`{"type": "basic", "username": …, "secret": …}`) or a reference to a stored credential
 * (`{"type": "basic_id", "value": "<credentialId>"}`).
 */

export type InlineKind = CredentialKind | 'webhook_url';

/** the fields each inline kind needs (one of the alternatives) */
export const INLINE_REQUIRED: Record<InlineKind, string[][]> = {
  aws: [['access_key_id', 'secret_access_key']],
  aws_role: [['role_arn', 'external_id']],
  token: [['secret']],
  basic: [['username', 'secret']],
  secret: [['secret']],
  o_auth_client: [['client_id', 'client_secret']],
  tls_certificate: [['certificate', 'private_key']],
  // the vendor's webhook_url variant carries the URL; accepted as `url` or `secret`
  webhook_url: [['url'], ['secret']],
};

export const INLINE_KINDS: InlineKind[] = keysOf(INLINE_REQUIRED);

export function isInlineKind(type: unknown): type is InlineKind {
  return typeof type === 'string' && isOneOf(INLINE_KINDS, type);
}

/** `basic_id` → `basic`; undefined when `type` is not a reference kind */
export function referenceKind(type: unknown): InlineKind | undefined {
  if (typeof type !== 'string' || !type.endsWith('_id')) return undefined;
  const kind = type.slice(0, -3);
  return isInlineKind(kind) ? kind : undefined;
}

/** the stored credential kind an inline kind becomes (a webhook URL is kept as a secret) */
export function storedKind(kind: InlineKind): CredentialKind {
  return kind === 'webhook_url' ? 'secret' : kind;
}

/** the stored credential config of an inline secret (without its `type`-only siblings) */
export function storedConfig(kind: InlineKind, inline: Record<string, unknown>): Record<string, unknown> & { type: CredentialKind } {
  if (kind === 'webhook_url') return { type: 'secret', secret: String(inline.url ?? inline.secret) };
  const { type: _type, ...rest } = inline;
  return { type: kind, ...structuredClone(rest) };
}

/** the missing fields of an inline secret, or [] when one alternative is complete */
export function missingInlineFields(kind: InlineKind, inline: Record<string, unknown>): string[] {
  const alternatives = INLINE_REQUIRED[kind];
  let best: string[] | undefined;
  for (const fields of alternatives) {
    const missing = fields.filter((f) => typeof inline[f] !== 'string' || inline[f] === '');
    if (missing.length === 0) return [];
    if (!best || missing.length < best.length) best = missing;
  }
  return best ?? [];
}
