/**
 * The read-only scenarios that also hold against Prism's stateless mock, by file and
 * "describe > it" name. Read-only = what a live run without --allow-writes executes (writes are
 * gated on target.capabilities.writes; a create refused for missing credentials stores nothing).
 *
 * `npm run test:prism-target` (prism-target.config.ts) runs exactly these against Prism serving
 * specs/, as the `live` target with placeholder credentials; prism-target.test.ts requires every
 * one of them to pass. The other read-only scenarios need state Prism does not keep: an unknown id
 * answers 404 (Prism answers every id), a filter or order field that is not the resource's answers
 * 400 (the spec types them as strings), an unknown token or key answers 401 (Prism checks only that
 * credentials are present), a list read back by id (Prism's examples do not chain), the Connxio
 * `/api/v2` alias (not a spec path), WWW-Authenticate naming the missing scheme.
 * Add a scenario here when it passes against Prism (run `npm run test:prism-target`).
 */
export const PRISM_READ_ONLY: Record<string, string[]> = {
  'conformance/connxio/subscriptions.test.ts': [
    'list_subscriptions > accepts the version media type and the key as a query parameter',
    'get_current_subscription > returns the subscription the key belongs to',
    'oauth_token > issues a bearer for valid client credentials',
  ],
  'conformance/connxio/integrations.test.ts': ['create_integration > answers 401 without a bearer token'],
  'conformance/synqly/accounts.test.ts': ['accounts_create > answers 401 without a bearer token'],
  'conformance/synqly/capabilities.test.ts': [
    'capabilities_list_connectors > answers 400 for an unknown expand value',
    'capabilities_list_providers > answers 400 for request_body, which only get_provider expands',
  ],
  'conformance/synqly/integrations.test.ts': ['integrations_list > answers 400 for an unknown expand value'],
  'conformance/synqly/mappings.test.ts': ['mappings_list > answers 400 for a limit below 1'],
  'conformance/synqly/meta.test.ts': [
    'meta_managementOpenapiSpec > returns the Management API OpenAPI document itself, not wrapped in result',
    'meta_managementOpenapiSpec > answers 401 without a token',
    'meta_engineOpenapiSpec > returns an OpenAPI document, not wrapped in result',
  ],
  'conformance/synqly/organization.test.ts': ["organization_get > returns the caller's organization", 'organization_get > answers 401 without a token'],
  'conformance/synqly/permissionset.test.ts': ['permissionset_get > reads one permission set by name'],
  'conformance/synqly/status.test.ts': ['status_get_timeseries > answers 401 without a token'],
  'conformance/synqly/subOrgs.test.ts': ['subOrgs_list > answers 401 without a token'],
};

/** vitest's testNamePattern for the list: a test's full name is its describe names and its own, space-separated */
export function prismReadOnlyPattern(): RegExp {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const names = Object.values(PRISM_READ_ONLY).flatMap((list) => list.map((n) => escape(n.split(' > ').join(' '))));
  return new RegExp(`(?:^|\\s)(?:${names.join('|')})$`);
}
