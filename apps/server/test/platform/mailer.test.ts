import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger } from '../../src/platform/logger.js';
import { consoleMailer } from '../../src/platform/mailer.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger({ level: 'info', destination }), text: () => lines.join('') };
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
