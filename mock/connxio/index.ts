import type { TwinEnv, VendorApi } from '../core/pipeline.ts';
import type { ApiSpec } from '../core/spec.ts';
import { authenticateConnxio, connxioPreflight, isPrincipal, type ConnxioCaller } from './auth.ts';
import { aspNetMediaTypeFor, aspNetXmlBody, bindAspNetQuery } from './aspnet-binding.ts';
import { renderConnxioProblem } from './errors.ts';
import { messagingOperations } from './messaging/operations.ts';
import { codeComponentsOperations } from './codeComponents/operations.ts';
import { environmentVariablesOperations } from './environmentVariables/operations.ts';
import { integrationsOperations } from './integrations/operations.ts';
import { oauthErrorOperations, oauthOperations } from './oauth/operations.ts';
import { resendOperations } from './resend/operations.ts';
import { securityConfigsOperations } from './securityConfigs/operations.ts';
import { subscriptionsOperations } from './subscriptions/operations.ts';

/** The Connxio API (management, messaging, OAuth): one line per resource family. */
export const connxioOperations = {
  ...oauthOperations,
  ...subscriptionsOperations,
  ...integrationsOperations,
  ...codeComponentsOperations,
  ...environmentVariablesOperations,
  ...securityConfigsOperations,
  ...messagingOperations,
  ...resendOperations,
};

export function createConnxioApi(spec: ApiSpec, env: TwinEnv): VendorApi<ConnxioCaller> {
  return {
    name: 'connxio',
    vendor: 'connxio',
    spec,
    handlers: connxioOperations,
    authenticate: (request, op) => authenticateConnxio(env, request, op),
    renderError: (err, request) => renderConnxioProblem(err, request, env.random, oauthErrorOperations),
    mediaTypeFor: aspNetMediaTypeFor,
    decodeBody: aspNetXmlBody,
    bindQuery: bindAspNetQuery,
    extraPrefixes: ['/api'],
    caseSensitive: false,
    ignoreTrailingSlash: true,
    responseHeaders: { 'access-control-allow-origin': '*' },
    preflightHeaders: connxioPreflight,
    // rate limits (control API) count per API key
    rateLimitKey: (caller) => (isPrincipal(caller) ? caller.key.id : undefined),
    tenantOf: (caller) => ('company' in caller ? caller.company.id : undefined),
  };
}
