// The explorer page: static files from web/public plus uPlot's ESM build from node_modules, with no
// build step (see README "The explorer"), under a Content-Security-Policy that allows no inline script.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

const PUBLIC = join(dirname(fileURLToPath(import.meta.url)), 'public');
const UPLOT = dirname(createRequire(import.meta.url).resolve('uplot'));

/**
 * Only same-origin scripts, styles, images and API calls. uPlot sizes its canvas through the CSSOM
 * (element.style), which CSP does not govern, so no 'unsafe-inline' is needed anywhere.
 */
export const CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
  "font-src 'self'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', svg: 'image/svg+xml',
};

/** Every file the page may load, read once at start: no request path ever reaches the file system. */
function assets(): Map<string, { type: string; body: Buffer }> {
  const files = new Map<string, { type: string; body: Buffer }>();
  const add = (url: string, path: string) => files.set(url, { type: TYPES[path.split('.').pop()!], body: readFileSync(path) });
  for (const name of readdirSync(PUBLIC)) add(name === 'index.html' ? '/' : `/web/${name}`, join(PUBLIC, name));
  add('/web/vendor/uplot.js', join(UPLOT, 'uPlot.esm.js'));
  add('/web/vendor/uplot.css', join(UPLOT, 'uPlot.min.css'));
  return files;
}

export function webPlugin() {
  const files = assets();
  return async function web(app: FastifyInstance) {
    for (const [url, file] of files) {
      app.get(url, (_request, reply: FastifyReply) => reply
        .header('content-type', file.type)
        .header('content-security-policy', CSP)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .header('cache-control', url === '/' ? 'no-cache' : 'public, max-age=300')
        .send(file.body));
    }
  };
}
