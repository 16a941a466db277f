import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/platform/logger.js';
import { consoleMailer, MailDeliveryError, smtpMailer } from '../../src/platform/mailer.js';
import { createTestApp } from '../helpers/app.js';

function capture(level: 'info' | 'debug' = 'info') {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger({ level, destination }), text: () => lines.join('') };
}

const reset = {
  kind: 'password_reset' as const,
  to: 'priya@example.com',
  subject: 'Reset your OpenWABA password',
  text: 'Open the link to choose a new password.',
  link: 'https://openwaba.example/reset?token=live-reset-token-123',
};

test('outside embedded mode the console mailer never logs the link; the outbox keeps it', async () => {
  const { logger, text } = capture();
  const mailer = consoleMailer(logger, { logLinks: false });
  await mailer.send(reset);
  assert.match(text(), /email not delivered/);
  assert.match(text(), /priya@example\.com/);
  assert.doesNotMatch(text(), /live-reset-token-123/);
  assert.equal(mailer.recent()[0]?.link, reset.link);
});

test('in embedded mode the console is the operator’s, so the link is logged', async () => {
  const { logger, text } = capture();
  await consoleMailer(logger, { logLinks: true }).send(reset);
  assert.match(text(), /live-reset-token-123/);
});

// --- SMTP, against a real SMTP server in this process ---

interface Received {
  from: string | undefined;
  recipients: string[];
  user: string | undefined;
  headers: Map<string, string>;
  body: string;
}

const received: Received[] = [];
const waiting: ((message: Received) => void)[] = [];
const logins: { user: string; pass: string }[] = [];
let smtpServer: SMTPServer;
let smtpPort = 0;

before(async () => {
  smtpServer = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      logins.push({ user: auth.username ?? '', pass: auth.password ?? '' });
      callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const mail = parseMessage(Buffer.concat(chunks).toString('utf8'));
        const message: Received = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          recipients: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          user: typeof session.user === 'string' ? session.user : undefined,
          ...mail,
        };
        received.push(message);
        waiting.shift()?.(message);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtpServer.listen(0, '127.0.0.1', resolve));
  const address = smtpServer.server.address();
  assert.ok(address && typeof address === 'object');
  smtpPort = address.port;
});

after(async () => {
  await new Promise<void>((resolve) => smtpServer.close(() => resolve()));
});

/** The next message the server accepts (or the one it already has beyond `seen`). */
function nextMessage(seen: number): Promise<Received> {
  const ready = received[seen];
  if (ready) return Promise.resolve(ready);
  return new Promise((resolve) => waiting.push(resolve));
}

/** Headers (unfolded, lower-case names) and the text body, decoded from its transfer encoding. */
function parseMessage(raw: string): { headers: Map<string, string>; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const encoded = raw.slice(split + 4);
  const encoding = headers.get('content-transfer-encoding')?.toLowerCase();
  const body =
    encoding === 'quoted-printable'
      ? Buffer.from(
          encoded
            .replace(/=\r\n/g, '')
            .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
          'latin1',
        ).toString('utf8')
      : encoding === 'base64'
        ? Buffer.from(encoded, 'base64').toString('utf8')
        : encoded;
  return { headers, body };
}

const longLinkReset = {
  ...reset,
  // Long enough that the body needs soft line breaks, as real reset links do.
  link: `https://openwaba.example/reset-password?token=${'k'.repeat(60)}-live-reset-token-456`,
  text: `Someone asked to reset the password of priya@example.com. The link works once, within an hour: https://openwaba.example/reset-password?token=${'k'.repeat(60)}-live-reset-token-456`,
};

test('the SMTP mailer delivers recipient, subject, From and the link, and logs neither body nor link', async () => {
  const { logger, text } = capture('debug');
  const from = 'OpenWABA Alerts <alerts@openwaba.example>';
  const mailer = smtpMailer({ url: `smtp://127.0.0.1:${smtpPort}`, from }, logger);
  const seen = received.length;
  try {
    await mailer.send(longLinkReset);
  } finally {
    mailer.close();
  }
  const message = await nextMessage(seen);
  assert.deepEqual(message.recipients, ['priya@example.com']);
  assert.equal(message.from, 'alerts@openwaba.example');
  assert.equal(message.headers.get('to'), 'priya@example.com');
  assert.equal(message.headers.get('subject'), 'Reset your OpenWABA password');
  assert.equal(message.headers.get('from'), from);
  assert.ok(message.body.includes(longLinkReset.link), `the body has the link: ${message.body}`);
  assert.equal(message.user, undefined, 'no credentials in the URL: no AUTH');

  assert.match(text(), /"domain":"example\.com"/);
  assert.doesNotMatch(text(), /live-reset-token-456/);
  assert.doesNotMatch(text(), /Someone asked/);
  assert.doesNotMatch(text(), /priya@/);
});

test('credentials in SMTP_URL are percent-decoded and used for AUTH', async () => {
  const { logger } = capture();
  const config = loadConfig({ SMTP_URL: `smtp://mailer%40acme:p%40ss%3Aw0rd@127.0.0.1:${smtpPort}` });
  assert.ok(config.mail.smtpUrl);
  const mailer = smtpMailer({ url: config.mail.smtpUrl, from: config.mail.from }, logger);
  const seen = received.length;
  try {
    await mailer.send({ ...reset, kind: 'invitation', to: 'sam@example.org' });
  } finally {
    mailer.close();
  }
  const message = await nextMessage(seen);
  assert.deepEqual(logins.at(-1), { user: 'mailer@acme', pass: 'p@ss:w0rd' });
  assert.equal(message.user, 'mailer@acme');
  assert.equal(message.headers.get('from'), 'OpenWABA <no-reply@localhost>', 'MAIL_FROM default');
  assert.ok(message.body.includes(reset.link), 'a text without the link gets it appended');
});

test('an unreachable SMTP server makes send() reject, without the password in the error', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const address = closed.address();
  assert.ok(address && typeof address === 'object');
  await new Promise<void>((resolve) => closed.close(() => resolve()));

  const { logger, text } = capture('debug');
  const mailer = smtpMailer(
    { url: `smtp://user:hunter2-secret@127.0.0.1:${address.port}`, from: 'no-reply@example.com' },
    logger,
  );
  try {
    await assert.rejects(mailer.send(reset), (error: unknown) => {
      assert.ok(error instanceof MailDeliveryError);
      assert.match(error.message, /password_reset/);
      assert.doesNotMatch(error.message, /hunter2-secret|live-reset-token-123/);
      return true;
    });
  } finally {
    mailer.close();
  }
  assert.doesNotMatch(text(), /hunter2-secret|live-reset-token-123/);
});

test('SMTP_URL and MAIL_FROM: parsed once, and a malformed URL is named without echoing its password', () => {
  const config = loadConfig({
    SMTP_URL: 'smtps://user:pass@mail.example.com:465',
    MAIL_FROM: 'Acme Support <support@acme.example>',
  });
  assert.deepEqual(config.mail, {
    smtpUrl: 'smtps://user:pass@mail.example.com:465',
    from: 'Acme Support <support@acme.example>',
  });
  assert.deepEqual(loadConfig({}).mail, { smtpUrl: undefined, from: 'OpenWABA <no-reply@localhost>' });

  for (const bad of [
    'mail.example.com:587',
    'https://user:hunter2@mail.example.com',
    'smtp://user:hunter2@',
  ]) {
    try {
      loadConfig({ SMTP_URL: bad, PORT: 'x' });
      assert.fail(`expected ${bad} to be refused`);
    } catch (error) {
      assert.ok(error instanceof ConfigError, String(error));
      assert.match(error.message, /SMTP_URL/);
      assert.match(error.message, /PORT/, 'every bad variable in one message');
      assert.doesNotMatch(error.message, /hunter2/);
      assert.equal(error.problems.length, 2, error.message);
    }
  }
  try {
    loadConfig({ SMTP_URL: 'smtp//user:hunter2@mail.example.com:587', MAIL_FROM: 'nobody' });
    assert.fail('expected a ConfigError');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    assert.match(error.message, /SMTP_URL/);
    assert.match(error.message, /MAIL_FROM/);
    assert.doesNotMatch(error.message, /hunter2/);
  }
});

test('with SMTP_URL set, the platform sends password-reset emails through SMTP', async () => {
  const app = await createTestApp({ env: { SMTP_URL: `smtp://127.0.0.1:${smtpPort}` } });
  try {
    const email = `owner-${Date.now()}@example.net`;
    const signup = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/signup',
      payload: { email, password: 'correct horse battery staple', name: 'Asha' },
    });
    assert.equal(signup.statusCode, 201, signup.body);
    const seen = received.length;
    const requested = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/password-reset',
      payload: { email },
    });
    assert.equal(requested.statusCode, 202);
    const message = await nextMessage(seen);
    assert.deepEqual(message.recipients, [email]);
    const link = /https?:\/\/\S+reset-password\?token=\S+/.exec(message.body)?.[0];
    assert.ok(link, message.body);
    const token = new URL(link).searchParams.get('token');
    assert.ok(token);
    assert.ok(!app.logs.text.includes(token), 'the reset token never reaches the logs');
  } finally {
    await app.close();
  }
});
