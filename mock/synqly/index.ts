import type { TwinEnv, VendorApi } from '../core/pipeline.ts';
import type { ApiSpec } from '../core/spec.ts';
import { accountsOperations } from './accounts/operations.ts';
import { authenticateSynqly, type SynqlyPrincipal } from './auth.ts';
import { renderSynqlyProblem } from './errors.ts';

/** The Synqly Management API: one line per resource family. */
const operations = {
  ...accountsOperations,
};

export function createSynqlyApi(spec: ApiSpec, env: TwinEnv): VendorApi<SynqlyPrincipal> {
  return {
    name: 'synqly',
    spec,
    handlers: operations,
    authenticate: (request, op) => authenticateSynqly(env, request, op),
    renderError: (err, request) => renderSynqlyProblem(err, request, env.clock.nowIso()),
    mediaTypeFor: (contentType, op) => {
      const media = contentType.split(';')[0]!.trim().toLowerCase();
      // PATCH bodies arrive as application/json (the SDKs), sometimes as json-patch+json
      if ((media === 'application/json' || media === 'application/json-patch+json') && op.requestBody?.content['application/json']) {
        return 'application/json';
      }
      return undefined;
    },
  };
}
