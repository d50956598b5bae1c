import { timingSafeEqual } from 'node:crypto';
import { errors } from '../core/errors.ts';
import type { TwinEnv, VendorApi } from '../core/pipeline.ts';
import type { ApiSpec } from '../core/spec.ts';
import { controlPlaneRefusal, type ControlPlanePolicy } from '../core/control-plane.ts';
import { adminOperations, type AdminServices } from './operations.ts';

/**
 * The control API on every listener. Open on loopback; when the twin binds elsewhere it needs
 * the admin token (X-Apitwin-Admin-Token, or Authorization: Bearer). Browsers' cross-site writes
 * and rebound host names are refused first (core/control-plane.ts).
 */
export function createAdminApi(spec: ApiSpec, env: TwinEnv, services: AdminServices & { adminToken?: string; controlPlane: ControlPlanePolicy }): VendorApi<null> {
  const expected = services.adminToken ? Buffer.from(services.adminToken) : undefined;
  return {
    name: 'admin',
    spec,
    handlers: adminOperations(services),
    // reads of the journal itself (a dashboard polling it would fill it with copies of itself) and the static reference files
    unjournaled: new Set(['admin_requests_list', 'admin_docs', 'admin_docs_spec', 'admin_docs_asset', 'admin_openapi', 'admin_specs_get']),
    authenticate: (request) => {
      const refusal = controlPlaneRefusal(request, services.controlPlane);
      if (refusal) throw refusal;
      if (!expected) return null;
      const header = request.headers['x-apitwin-admin-token'];
      const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
      const presented = Buffer.from(typeof header === 'string' ? header : (bearer ?? ''));
      if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
        throw errors.unauthorized('the control API needs the admin token (X-Apitwin-Admin-Token)');
      }
      return null;
    },
    renderError: (err, request) => ({
      status: err.status,
      headers: { ...err.details.headers, 'content-type': 'application/problem+json; charset=utf-8' },
      body: {
        type: 'about:blank',
        title: err.title,
        status: err.status,
        detail: err.details.issues?.length ? `${err.message} (${err.details.issues.length} issue(s))` : err.message,
        instance: request.path,
        ...(err.details.issues?.length ? { errors: err.details.issues.map(({ rule: _rule, ...issue }) => issue) } : {}),
      },
    }),
  };
}
