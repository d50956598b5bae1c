import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express';
import { packageRoot } from '../core/spec.ts';

/**
 * The dashboard's static files (built by `npm run build` into dist/ui/) under /__ui on every
 * listener, with a single-page fallback: any /__ui/* path that is not a file answers index.html,
 * and the dashboard's router takes it from there. The files hold no data or secrets: the
 * dashboard reads everything through the control API and the vendor APIs, which keep their own
 * protection (the control API's admin token off loopback).
 */

export const UI_PREFIX = '/__ui';

export function uiDistDir(): string {
  return join(packageRoot(), 'dist', 'ui');
}

export function createUiRouter(dir = uiDistDir()): express.Router {
  const router = express.Router({ caseSensitive: true, strict: false });
  router.use(
    UI_PREFIX,
    express.static(dir, {
      index: false,
      redirect: false,
      fallthrough: true,
      setHeaders: (res, file) => {
        // hashed asset names never change; index.html always revalidates
        res.setHeader('cache-control', file.includes(`${join('ui', 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );
  router.get([UI_PREFIX, `${UI_PREFIX}/*rest`], (req, res) => {
    // a named wildcard's value is its path segments; Express types every parameter as a string
    const rest = (req.params as { rest?: string[] }).rest;
    // a missing asset is a 404, not the page
    if (rest?.[0] === 'assets') {
      res.status(404).type('text/plain').send('not found');
      return;
    }
    const index = join(dir, 'index.html');
    if (!existsSync(index)) {
      res
        .status(503)
        .type('text/plain')
        .send('The dashboard is not built: run `npm run build` (npm start and npm test do it), then reload.\n');
      return;
    }
    res.setHeader('cache-control', 'no-cache');
    res.setHeader('x-content-type-options', 'nosniff');
    res.type('html').send(readFileSync(index));
  });
  return router;
}
