import { loadSpec, specPath } from '../../core/spec.ts';

/**
 * The meta operations (DECISIONS "meta"): the Management API's OpenAPI document is the twin's own
 * specs/synqly-management.yaml (as written, $refs kept), unwrapped; the engine document is a
 * minimal valid OpenAPI 3.0 document, since the twin emulates no Connector (engine) API.
 */

export const MANAGEMENT_SPEC_FILE = 'synqly-management.yaml';

export async function managementOpenApiDocument(): Promise<Record<string, unknown>> {
  const spec = await loadSpec(specPath(MANAGEMENT_SPEC_FILE));
  return spec.document;
}

/** `management` is the Management spec's OpenAPI document: its `info` and `servers` are read as OpenAPI shapes them */
export function engineOpenApiDocument(management: Record<string, unknown>): Record<string, unknown> {
  const info = (management.info ?? {}) as { version?: string }; // (see above)
  return {
    openapi: '3.0.3',
    info: {
      title: 'Synqly Engine API',
      version: info.version ?? '0.0.0',
      description: 'The Connector (engine) APIs are not emulated by apitwin; this document lists no operations.',
    },
    // (see above)
    servers: (management.servers as unknown[] | undefined) ?? [{ url: 'https://api.synqly.com' }],
    paths: {},
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'An Integration access token secret.' } },
    },
    security: [{ bearerAuth: [] }],
  };
}
