import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { z } from 'zod';
import type { PlatformModule } from '../../src/platform/context.js';
import { AppError, standardErrors } from '../../src/platform/http/errors.js';
import { createTestApp, json, type TestApp } from '../helpers/app.js';

const probe: PlatformModule = {
  name: 'probe',
  routes(app) {
    app.post(
      '/api/v1/probe/echo',
      {
        schema: {
          tags: ['probe'],
          body: z.object({ name: z.string().min(2), count: z.number().int().positive() }),
          response: { 200: z.object({ greeting: z.string() }), ...standardErrors },
        },
      },
      async (request) => ({ greeting: `hello ${request.body.name} x${request.body.count}` }),
    );
    app.get('/api/v1/probe/conflict', async () => {
      throw new AppError('conflict', 'That already happened');
    });
    app.get('/api/v1/probe/limited', async () => {
      throw new AppError('rate_limited', 'Slow down', undefined, { 'retry-after': '7' });
    });
    app.get('/api/v1/probe/crash', async () => {
      throw new Error('database password is hunter2');
    });
  },
};

let t: TestApp;
before(async () => {
  t = await createTestApp({ modules: [probe] });
});
after(async () => {
  await t.close();
});

test('GET /health answers ok', async () => {
  const res = await t.inject({ method: 'GET', url: '/health' });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(json(res), { status: 'ok' });
});

test('GET /ready checks the database (and Redis in scale mode)', async () => {
  const res = await t.inject({ method: 'GET', url: '/ready' });
  assert.equal(res.statusCode, 200);
  const body = json<{ status: string; checks: Record<string, string> }>(res);
  assert.equal(body.status, 'ready');
  assert.equal(body.checks.database, 'ok');
  if (t.config.mode === 'scale') assert.equal(body.checks.redis, 'ok');
});

test('a valid body passes the zod contract', async () => {
  const res = await t.inject({
    method: 'POST',
    url: '/api/v1/probe/echo',
    payload: { name: 'Asha', count: 2 },
  });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(json(res), { greeting: 'hello Asha x2' });
});

test('a bad body answers 400 validation_failed naming each field', async () => {
  const res = await t.inject({
    method: 'POST',
    url: '/api/v1/probe/echo',
    payload: { name: 'A', count: -1 },
  });
  assert.equal(res.statusCode, 400);
  const body = json<{ error: { code: string; requestId: string; details: { path: string }[] } }>(res);
  assert.equal(body.error.code, 'validation_failed');
  assert.equal(body.error.requestId, res.headers['x-request-id']);
  const paths = body.error.details.map((d) => d.path).sort();
  assert.deepEqual(paths, ['body.count', 'body.name']);
});

test('malformed JSON answers 400 bad_request', async () => {
  const res = await t.inject({
    method: 'POST',
    url: '/api/v1/probe/echo',
    headers: { 'content-type': 'application/json' },
    payload: '{"name": ',
  });
  assert.equal(res.statusCode, 400);
  assert.equal(json<{ error: { code: string } }>(res).error.code, 'bad_request');
});

test('an oversized body answers 413', async () => {
  const res = await t.inject({
    method: 'POST',
    url: '/api/v1/probe/echo',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024), count: 1 }),
  });
  assert.equal(res.statusCode, 413);
  assert.equal(json<{ error: { code: string } }>(res).error.code, 'payload_too_large');
});

test('AppError maps its code to the status from the table, with extra headers', async () => {
  const conflict = await t.inject({ method: 'GET', url: '/api/v1/probe/conflict' });
  assert.equal(conflict.statusCode, 409);
  assert.equal(
    json<{ error: { code: string; message: string } }>(conflict).error.message,
    'That already happened',
  );
  const limited = await t.inject({ method: 'GET', url: '/api/v1/probe/limited' });
  assert.equal(limited.statusCode, 429);
  assert.equal(limited.headers['retry-after'], '7');
});

test('an unexpected error answers 500 without its message', async () => {
  const res = await t.inject({ method: 'GET', url: '/api/v1/probe/crash' });
  assert.equal(res.statusCode, 500);
  const body = json<{ error: { code: string; message: string } }>(res);
  assert.deepEqual(body.error.code, 'internal');
  assert.doesNotMatch(res.body, /hunter2/);
});

test("a request's log lines carry its request id: the error and the request line", async () => {
  const res = await t.inject({
    method: 'GET',
    url: '/api/v1/probe/crash',
    headers: { 'x-request-id': 'trace-crash-1' },
  });
  assert.equal(res.statusCode, 500);
  const mine = t.logs.entries().filter((entry) => entry.reqId === 'trace-crash-1');
  assert.deepEqual(
    mine.map((entry) => entry.msg),
    ['unhandled error', 'request'],
  );
  assert.equal(mine[1]?.status, 500);
  assert.equal(mine[1]?.component, 'http');
});

test('unknown routes answer 404 in the error model', async () => {
  const res = await t.inject({ method: 'GET', url: '/api/v1/nothing-here' });
  assert.equal(res.statusCode, 404);
  const body = json<{ error: { code: string; requestId: string } }>(res);
  assert.equal(body.error.code, 'not_found');
  assert.match(body.error.requestId, /^req_/);
});

test('a safe incoming x-request-id is kept, an unsafe one replaced', async () => {
  const kept = await t.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'lb-1234' } });
  assert.equal(kept.headers['x-request-id'], 'lb-1234');
  const replaced = await t.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': '<script>' } });
  assert.match(String(replaced.headers['x-request-id']), /^req_/);
});

test('OpenAPI is generated from the route schemas and served with a docs page', async () => {
  const res = await t.inject({ method: 'GET', url: '/api/openapi.json' });
  assert.equal(res.statusCode, 200);
  const doc = json<{ openapi: string; paths: Record<string, Record<string, { requestBody?: unknown }>> }>(
    res,
  );
  assert.match(doc.openapi, /^3\./);
  const echo = doc.paths['/api/v1/probe/echo']?.post;
  assert.ok(echo?.requestBody, 'the echo route documents its body');
  assert.ok(doc.paths['/health']);
  const docs = await t.inject({ method: 'GET', url: '/api/docs' });
  assert.ok([200, 302].includes(docs.statusCode));
});

test('GET /metrics exposes HTTP latency and queue depth in Prometheus format', async () => {
  await t.inject({ method: 'GET', url: '/health' });
  const res = await t.inject({ method: 'GET', url: '/metrics' });
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /text\/plain/);
  assert.match(res.body, /http_request_duration_seconds_bucket\{[^}]*route="\/health"[^}]*status_code="200"/);
  assert.match(res.body, /queue_depth\{job="platform.sweep",state="waiting"\}/);
  assert.match(res.body, /# TYPE jobs_total counter/);
});
