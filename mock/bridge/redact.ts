import { createHmac, randomBytes } from 'node:crypto';
import { isSecretName, isSecretParameter } from '../core/request-journal.ts';

/**
 * Redaction of recordings (DECISIONS.md, "recordings"): every secret becomes a stable placeholder
 * `<redacted:…>`, an HMAC of the value under a key that lives only as long as the recorder, so the
 * same secret always looks the same (a later step can still follow it) and none is kept in clear.
 * Secrets are credentials in headers (Authorization keeps its scheme), secret query parameters and
 * form fields, and every JSON value under a secret-looking field name; a value once known as a
 * secret is replaced wherever it appears again (a token's secret later sent as a bearer or in a URL).
 */

export const PLACEHOLDER_PATTERN = /<redacted:[A-Za-z0-9_-]+>/;

export interface Redactor {
  /** the placeholder of a secret value, remembering the value */
  placeholder(secret: string): string;
  header(name: string, value: string): string;
  query(name: string, value: string): string;
  /** a JSON body with its secrets replaced (a copy) */
  json(value: unknown): unknown;
  /** a form body (application/x-www-form-urlencoded) with its secret fields replaced */
  form(text: string): string;
  /** any text with every secret known so far replaced */
  text(value: string): string;
  /** how many distinct secrets were seen */
  readonly count: number;
}

const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'connxio-api-key', 'ocp-apim-subscription-key', 'x-apitwin-admin-token', 'cookie', 'set-cookie']);
/** form fields of the OAuth token endpoint that carry secrets (client_id is an identifier, kept) */
const SECRET_FORM_FIELDS = /^(client_secret|password|refresh_token|code|assertion|client_assertion|access_token)$/i;

export function createRedactor(key: Buffer = randomBytes(32)): Redactor {
  const known = new Map<string, string>();
  // replace longer secrets first so one that contains another is replaced whole
  let ordered: string[] = [];
  const placeholder = (secret: string): string => {
    let p = known.get(secret);
    if (p === undefined) {
      p = `<redacted:${createHmac('sha256', key).update(secret).digest('base64url').slice(0, 16)}>`;
      known.set(secret, p);
      if (secret.length >= 6) ordered = [...known.keys()].filter((s) => s.length >= 6).sort((a, b) => b.length - a.length);
    }
    return p;
  };
  const text = (value: string): string => {
    if (PLACEHOLDER_PATTERN.test(value) && known.size === 0) return value;
    let out = value;
    for (const secret of ordered) if (out.includes(secret)) out = out.split(secret).join(known.get(secret)!);
    // the same secret percent-encoded in a URL
    for (const secret of ordered) {
      const encoded = encodeURIComponent(secret);
      if (encoded !== secret && out.includes(encoded)) out = out.split(encoded).join(known.get(secret)!);
    }
    return out;
  };
  const json = (value: unknown, inSecret = false, depth = 0): unknown => {
    if (depth > 64) return value;
    if (typeof value === 'string') return inSecret && value !== '' ? placeholder(value) : text(value);
    if (typeof value === 'number') return inSecret ? placeholder(String(value)) : value;
    if (Array.isArray(value)) return value.map((v) => json(v, inSecret, depth + 1));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = json(v, (inSecret && k !== 'type') || isSecretName(k), depth + 1);
      return out;
    }
    return value;
  };
  return {
    placeholder,
    header(name, value) {
      const lower = name.toLowerCase();
      if (!CREDENTIAL_HEADERS.has(lower)) return text(value);
      if (lower === 'cookie') return value.split(/;\s*/).map((c) => redactPair(c, placeholder)).join('; ');
      if (lower === 'set-cookie') {
        const [first, ...attributes] = value.split(/;\s*/);
        return [redactPair(first ?? '', placeholder), ...attributes].join('; ');
      }
      const scheme = /^(Bearer|Basic|Token|ApiKey)\s+(.+)$/i.exec(value);
      return scheme ? `${scheme[1]} ${placeholder(scheme[2]!)}` : placeholder(value);
    },
    query(name, value) {
      return isSecretParameter(name) ? placeholder(value) : text(value);
    },
    json: (value) => json(value),
    form(body) {
      const params = new URLSearchParams(body);
      const out = new URLSearchParams();
      for (const [k, v] of params) out.append(k, SECRET_FORM_FIELDS.test(k) || isSecretName(k) ? placeholder(v) : text(v));
      return out.toString();
    },
    text,
    get count() {
      return known.size;
    },
  };
}

function redactPair(pair: string, placeholder: (s: string) => string): string {
  const eq = pair.indexOf('=');
  return eq < 0 ? pair : `${pair.slice(0, eq)}=${placeholder(pair.slice(eq + 1))}`;
}
