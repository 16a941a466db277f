import type { FastifyRequest } from 'fastify';
import type { HttpApp, Platform } from '../../platform/context.js';
import { notFound } from '../../platform/http/errors.js';
import { hasRecentMail } from '../../platform/mailer.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/**
 * The operator's outbox in embedded mode: without an SMTP server, password-reset and invitation links
 * are only logged; this page lists the recent ones for the person running the platform locally. It
 * exists only in embedded mode and answers only requests from this machine.
 */
export function registerOutboxPage(app: HttpApp, platform: Platform): void {
  const allowed = (request: FastifyRequest) =>
    platform.config.mode === 'embedded' &&
    LOOPBACK.has(request.socket.remoteAddress ?? '') &&
    hasRecentMail(platform.mailer);

  app.get('/operator/outbox', { schema: { hide: true } }, async (request, reply) => {
    if (!allowed(request) || !hasRecentMail(platform.mailer)) throw notFound('Page');
    const rows = platform.mailer
      .recent()
      .map(
        (mail) =>
          `<tr><td>${escapeHtml(mail.sentAt.toISOString())}</td><td>${escapeHtml(mail.kind)}</td>` +
          `<td>${escapeHtml(mail.to)}</td><td>${escapeHtml(mail.subject)}</td>` +
          `<td><a href="${escapeHtml(mail.link)}">${escapeHtml(mail.link)}</a></td></tr>`,
      )
      .join('');
    return reply
      .type('text/html')
      .header('cache-control', 'no-store')
      .send(
        `<!doctype html><meta charset="utf-8"><title>OpenWABA · Outbox</title>` +
          `<style>body{font:14px system-ui;margin:2rem}td,th{padding:.3rem .6rem;border-bottom:1px solid #ddd;text-align:left}</style>` +
          `<h1>Outbox (embedded mode)</h1><p>Emails the platform would have sent, newest first.</p>` +
          `<table><tr><th>Sent</th><th>Kind</th><th>To</th><th>Subject</th><th>Link</th></tr>${rows || '<tr><td colspan="5">No emails yet.</td></tr>'}</table>`,
      );
  });
}
