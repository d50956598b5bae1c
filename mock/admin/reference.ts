import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { errors } from '../core/errors.ts';
import { operationTable, type OperationTable } from '../core/pipeline.ts';
import type { operations } from '../generated/admin.ts';
import { specPath, type ApiSpec } from '../core/spec.ts';
import type { ListenerUrls } from './dashboard.ts';
import { isOneOf } from '../core/narrow.ts';

/**
 * The control API's index, the OpenAPI documents the twin serves (specs/*.yaml as shipped) and a
 * reference page for each, rendered in the browser by Swagger UI from the npm package
 * swagger-ui-dist (served by the twin: no CDN, nothing fetched from elsewhere).
 */

export const SPEC_FILES = ['admin.yaml', 'synqly-management.yaml', 'connxio.yaml', 'connxio-custom-api.yaml'] as const;
const SPEC_TITLES: Record<(typeof SPEC_FILES)[number], string> = {
  'admin.yaml': 'apitwin control API',
  'synqly-management.yaml': 'Synqly Management API',
  'connxio.yaml': 'Connxio API',
  'connxio-custom-api.yaml': 'Connxio Custom APIs',
};
const LISTENER_ORDER = ['synqly', 'connxio', 'custom'] as const;
type VendorName = (typeof LISTENER_ORDER)[number];

/** Swagger UI's files the pages load, and the page script (no inline script) */
const ASSETS: Record<string, { file?: string; contentType: string }> = {
  'swagger-ui-bundle.js': { file: 'swagger-ui-bundle.js', contentType: 'text/javascript; charset=utf-8' },
  'swagger-ui.css': { file: 'swagger-ui.css', contentType: 'text/css; charset=utf-8' },
  'docs.js': { contentType: 'text/javascript; charset=utf-8' },
};

// Swagger UI started on the document the page names; "Try it out" sends X-Apitwin-Client, which control-API writes need
const DOCS_SCRIPT = `window.addEventListener('DOMContentLoaded', function () {
  var spec = document.body.getAttribute('data-spec');
  window.ui = SwaggerUIBundle({
    url: spec,
    dom_id: '#reference',
    deepLinking: true,
    displayOperationId: true,
    validatorUrl: null,
    tryItOutEnabled: false,
    requestInterceptor: function (req) { req.headers['X-Apitwin-Client'] = 'reference-page'; return req; },
  });
});
`;

function page(spec: (typeof SPEC_FILES)[number]): string {
  const title = `${SPEC_TITLES[spec]} — apitwin reference`;
  const others = SPEC_FILES.map((f) => `<a href="/__admin/docs${f === 'admin.yaml' ? '' : `/${f}`}"${f === spec ? ' aria-current="page"' : ''}>${SPEC_TITLES[f]}</a>`).join(' · ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="/__admin/docs/assets/swagger-ui.css">
<style>body{margin:0;font-family:system-ui,sans-serif}nav{padding:.75rem 1rem;border-bottom:1px solid #ddd}nav a{margin-right:.25rem}</style>
</head>
<body data-spec="/__admin/specs/${spec}">
<nav aria-label="OpenAPI documents">${others} · <a href="/__admin/specs/${spec}">${spec}</a> · <a href="/__ui">dashboard</a></nav>
<main id="reference"><noscript>The reference page needs JavaScript; the document itself is at /__admin/specs/${spec}.</noscript></main>
<script src="/__admin/docs/assets/swagger-ui-bundle.js"></script>
<script src="/__admin/docs/assets/docs.js"></script>
</body>
</html>
`;
}

function swaggerUiDir(): string {
  return join(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'), '..');
}

export function referenceOperations(version: string, listeners: ListenerUrls, vendorSpecs: () => Partial<Record<VendorName, ApiSpec>>): OperationTable<null> {
  // files read once; the same strings are handed out (and referenced by the request journal) on every call
  const texts = new Map<string, Promise<string>>();
  const text = (key: string, load: () => Promise<string>) => {
    let t = texts.get(key);
    if (!t) {
      t = load();
      texts.set(key, t);
      t.catch(() => texts.delete(key));
    }
    return t;
  };
  const specText = (name: string) => {
    if (!isOneOf(SPEC_FILES, name)) throw errors.notFound(`no document ${name}; the twin serves ${SPEC_FILES.join(', ')}`);
    return text(`spec:${name}`, () => readFile(specPath(name), 'utf8'));
  };
  const yaml = (body: string) => ({ status: 200, body, contentType: 'application/yaml; charset=utf-8' });
  const html = (body: string) => ({ status: 200, body, contentType: 'text/html; charset=utf-8', headers: { 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' } });

  return operationTable<null, operations>({
    admin_index: (ctx) => ({
      status: 200,
      body: {
        name: 'apitwin',
        version,
        listeners: LISTENER_ORDER.filter((n) => listeners[n] !== undefined).map((n) => ({ name: n, url: listeners[n]! })),
        links: {
          openapi: '/__admin/openapi.yaml',
          docs: '/__admin/docs',
          dashboard: '/__ui',
          health: '/__admin/health',
          operations: '/__admin/operations',
          listener: ctx.request.listener,
          ...Object.fromEntries(SPEC_FILES.filter((f) => f !== 'admin.yaml').flatMap((f) => [[`spec:${f}`, `/__admin/specs/${f}`], [`docs:${f}`, `/__admin/docs/${f}`]])),
        },
      },
    }),
    admin_openapi: async () => yaml(await specText('admin.yaml')),
    admin_specs_get: async (ctx) => yaml(await specText(ctx.params.spec)),
    admin_docs: () => html(page('admin.yaml')),
    admin_docs_spec: (ctx) => html(page(ctx.params.spec)),
    admin_docs_asset: async (ctx) => {
      const name = ctx.params.file;
      const asset = ASSETS[name];
      if (!asset) throw errors.notFound(`no asset ${name}`);
      const body = asset.file ? await text(`asset:${name}`, () => readFile(join(swaggerUiDir(), asset.file!), 'utf8')) : DOCS_SCRIPT;
      return { status: 200, body, contentType: asset.contentType, headers: { 'cache-control': 'public, max-age=3600', 'x-content-type-options': 'nosniff' } };
    },
    admin_operations_list: (ctx) => {
      const wanted = ctx.query.vendor;
      const specs = vendorSpecs();
      const operations = LISTENER_ORDER.filter((v) => !wanted || v === wanted).flatMap((vendor) =>
        (specs[vendor]?.operations ?? []).map((op) => ({ vendor, operationId: op.operationId, method: op.method, path: op.path })),
      );
      return { status: 200, body: { operations } };
    },
  });
}
