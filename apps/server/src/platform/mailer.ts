import type { Logger } from './logger.js';

/**
 * Outgoing email port. The console mailer keeps recent messages for the operator's outbox page and
 * logs them; the link (a live, single-use token) is logged only in embedded mode, where the console is
 * the operator's own. Tests capture messages. An SMTP adapter can implement the same interface.
 */
export interface MailMessage {
  kind: 'password_reset' | 'invitation' | 'channel_needs_reauth' | 'template_flagged';
  to: string;
  subject: string;
  text: string;
  link: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

/** A mailer that can show what it sent recently (the operator's outbox in embedded mode). */
export interface RecentMail {
  recent(): readonly (MailMessage & { sentAt: Date })[];
}

const OUTBOX_SIZE = 50;

export function consoleMailer(logger: Logger, options: { logLinks: boolean }): Mailer & RecentMail {
  const log = logger.child({ component: 'mailer' });
  const outbox: (MailMessage & { sentAt: Date })[] = [];
  return {
    async send(message) {
      const { kind, to } = message;
      if (options.logLinks) log.info({ kind, to, link: message.link }, `email: ${message.subject}`);
      else
        log.warn(
          { kind, to },
          `email not delivered (no mail transport; see the operator outbox): ${message.subject}`,
        );
      outbox.push({ ...message, sentAt: new Date() });
      if (outbox.length > OUTBOX_SIZE) outbox.shift();
    },
    recent: () => [...outbox].reverse(),
  };
}

export function hasRecentMail(mailer: Mailer): mailer is Mailer & RecentMail {
  return typeof (mailer as Partial<RecentMail>).recent === 'function';
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
