import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { HttpApp } from '../context.js';

const DEFAULT_DIST = fileURLToPath(new URL('../../../../web/dist', import.meta.url));
const API_PREFIXES = ['/api/', '/webhooks/', '/health', '/ready', '/metrics'];

/**
 * Serves the built web app at `/` with a single-page-app fallback: unknown paths that are not API
 * paths get index.html so client-side routes survive a reload. Without a build, a short page says how
 * to make one.
 */
export async function registerWebApp(app: HttpApp, distDir: string | undefined): Promise<void> {
  const root = resolve(distDir ?? DEFAULT_DIST);
  if (!existsSync(resolve(root, 'index.html'))) {
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply
        .type('text/html')
        .send(
          '<!doctype html><title>OpenWABA</title><h1>OpenWABA is running</h1>' +
            '<p>The web app is not built. Run <code>npm run build -w apps/web</code>, then reload.</p>' +
            '<p>API docs: <a href="/api/docs">/api/docs</a></p>',
        ),
    );
    return;
  }
  await app.register(fastifyStatic, { root, wildcard: false, index: 'index.html' });
  // Client-side routes (/inbox/…) must survive a reload: unknown GETs for HTML get the app's index.
  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const isApi = API_PREFIXES.some((prefix) => request.url.startsWith(prefix));
    if (!isApi && request.headers.accept?.includes('text/html')) return reply.sendFile('index.html');
    return reply.callNotFound();
  });
}
