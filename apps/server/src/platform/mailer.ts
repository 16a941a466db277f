import type { Logger } from './logger.js';

/**
 * Outgoing email port. Embedded mode logs the message (the link is what an operator needs to pass on;
 * it is single-use). Tests capture messages. An SMTP adapter can implement the same interface.
 */
export interface MailMessage {
  kind: 'password_reset' | 'invitation' | 'channel_needs_reauth';
  to: string;
  subject: string;
  text: string;
  link: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

export function consoleMailer(logger: Logger): Mailer {
  const log = logger.child({ component: 'mailer' });
  return {
    async send(message) {
      log.info({ kind: message.kind, to: message.to, link: message.link }, `email: ${message.subject}`);
    },
  };
}

export class CapturingMailer implements Mailer {
  readonly sent: MailMessage[] = [];

  async send(message: MailMessage): Promise<void> {
    this.sent.push(message);
  }

  /** The last message of a kind to an address. */
  last(kind: MailMessage['kind'], to: string): MailMessage | undefined {
    return this.sent.filter((m) => m.kind === kind && m.to === to.toLowerCase()).at(-1);
  }

  /** The token in the last link of a kind to an address. */
  tokenFor(kind: MailMessage['kind'], to: string): string {
    const link = this.last(kind, to)?.link;
    const token = link ? new URL(link).searchParams.get('token') : null;
    if (!token) throw new Error(`no ${kind} email to ${to}`);
    return token;
  }
}
