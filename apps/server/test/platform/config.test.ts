import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig, loadDatabaseLocation } from '../../src/config.js';

test('defaults give embedded mode on port 3000 with the simulator as the Graph base URL', () => {
  const config = loadConfig({});
  assert.equal(config.mode, 'embedded');
  assert.equal(config.role, 'all');
  assert.equal(config.http.port, 3000);
  assert.equal(config.graphSim.port, 4010);
  assert.equal(config.graphSim.enabled, true);
  assert.equal(config.meta.graphBaseUrl, 'http://127.0.0.1:4010');
  assert.equal(config.meta.graphVersion, 'v23.0');
  assert.equal(config.database.url, undefined);
});

test("a server role talks to Meta's Graph API unless told otherwise", () => {
  const config = loadConfig({ ROLE: 'server' });
  assert.equal(config.graphSim.enabled, false);
  assert.equal(config.meta.graphBaseUrl, 'https://graph.facebook.com');
  const custom = loadConfig({ ROLE: 'server', GRAPH_API_BASE_URL: 'http://sim.local:4010/' });
  assert.equal(custom.meta.graphBaseUrl, 'http://sim.local:4010');
});

const KEY = 'a'.repeat(64);

test('DATABASE_URL selects scale mode', () => {
  const config = loadConfig({
    DATABASE_URL: 'postgres://u@db:5432/x',
    REDIS_URL: 'redis://r:6379',
    TOKEN_MASTER_KEY: KEY,
  });
  assert.equal(config.mode, 'scale');
  assert.equal(config.redis.url, 'redis://r:6379');
});

test('PORT=abc stops boot with a message naming PORT', () => {
  assert.throws(
    () => loadConfig({ PORT: 'abc' }),
    (error: unknown) =>
      error instanceof ConfigError && /PORT/.test(error.message) && error.problems.length === 1,
  );
});

test('every bad variable is named in one message', () => {
  try {
    loadConfig({ PORT: '70000', DATABASE_URL: 'mysql://x', GRAPH_API_VERSION: '23', LOG_LEVEL: 'loud' });
    assert.fail('expected a ConfigError');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    for (const name of ['PORT', 'DATABASE_URL', 'GRAPH_API_VERSION', 'LOG_LEVEL']) {
      assert.match(error.message, new RegExp(name), `message names ${name}`);
    }
    assert.equal(error.problems.length, 4);
  }
});

test('a rejected secret value is never echoed in the message', () => {
  try {
    loadConfig({ DATABASE_URL: 'not a url with password hunter2', PORT: 'x' });
    assert.fail('expected a ConfigError');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    assert.doesNotMatch(error.message, /hunter2/);
    assert.match(error.message, /got "x"/, 'non-secret values are shown to help');
  }
});

test('REDIS_URL without DATABASE_URL is refused', () => {
  assert.throws(() => loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }), /REDIS_URL/);
});

test('empty strings count as unset', () => {
  const config = loadConfig({ PORT: '', DATABASE_URL: '', GRAPH_SIM: '' });
  assert.equal(config.http.port, 3000);
  assert.equal(config.mode, 'embedded');
  assert.equal(config.graphSim.enabled, true);
});

test('scale mode refuses to start without a vault master key', () => {
  assert.throws(
    () => loadConfig({ DATABASE_URL: 'postgres://u@db:5432/x' }),
    /TOKEN_MASTER_KEY: required in scale mode/,
  );
});

test('a malformed master key is named without being echoed', () => {
  try {
    loadConfig({ TOKEN_MASTER_KEY: 'tooshort-secretvalue' });
    assert.fail('expected a ConfigError');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    assert.match(error.message, /TOKEN_MASTER_KEY: a master key must be 32 bytes/);
    assert.doesNotMatch(error.message, /secretvalue/);
  }
});

test('invalid variables and cross-variable problems are reported in one message', () => {
  try {
    loadConfig({ PORT: 'abc', DATABASE_URL: 'postgres://x', VAULT_BACKEND: 'aws' });
    assert.fail('expected a ConfigError');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    for (const name of ['PORT', 'TOKEN_MASTER_KEY', 'AWS_REGION']) {
      assert.match(error.message, new RegExp(`${name}:`), `message names ${name}`);
    }
    assert.equal(error.problems.length, 3);
  }
});

test('TRUST_PROXY defaults to trusting no proxy and accepts booleans, hop counts and address lists', () => {
  assert.equal(loadConfig({}).http.trustProxy, false);
  assert.equal(loadConfig({ TRUST_PROXY: '' }).http.trustProxy, false);
  assert.equal(loadConfig({ TRUST_PROXY: 'false' }).http.trustProxy, false);
  assert.equal(loadConfig({ TRUST_PROXY: 'true' }).http.trustProxy, true);
  assert.equal(loadConfig({ TRUST_PROXY: '2' }).http.trustProxy, 2);
  assert.deepEqual(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1,loopback' }).http.trustProxy, [
    '10.0.0.0/8',
    '127.0.0.1',
    '::1',
    'loopback',
  ]);
  for (const bad of ['yes', '10.0.0.0/33', '10.0.0.1,proxy.local', ',']) {
    assert.throws(
      () => loadConfig({ TRUST_PROXY: bad }),
      (error: unknown) => error instanceof ConfigError && /^TRUST_PROXY: /.test(error.problems[0] ?? ''),
      bad,
    );
  }
});

test('METRICS_PORT defaults to 9464; 0 turns the worker listener off', () => {
  assert.equal(loadConfig({}).metrics.port, 9464);
  assert.equal(loadConfig({ METRICS_PORT: '0' }).metrics.port, 0);
  assert.throws(
    () => loadConfig({ METRICS_PORT: '70000' }),
    (error: unknown) => error instanceof ConfigError && /^METRICS_PORT: /.test(error.problems[0] ?? ''),
  );
});

test('the database location is read alone: no master key needed, other variables ignored', () => {
  const url = 'postgres://u:pw@db:5432/x';
  assert.deepEqual(loadDatabaseLocation({ DATABASE_URL: url, PORT: 'abc' }), { url, dataDir: './data' });
  assert.deepEqual(loadDatabaseLocation({ DATA_DIR: '/var/lib/owaba' }), {
    url: undefined,
    dataDir: '/var/lib/owaba',
  });
  assert.throws(
    () => loadDatabaseLocation({ DATABASE_URL: 'mysql://u:hunter2@db/x' }),
    (error: unknown) =>
      error instanceof ConfigError &&
      /^DATABASE_URL: /.test(error.problems[0] ?? '') &&
      !error.message.includes('hunter2'),
  );
});
