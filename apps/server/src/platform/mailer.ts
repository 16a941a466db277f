import { createTransport } from 'nodemailer';
import type { Logger } from './logger.js';

/**
 * Outgoing email port. The console mailer keeps recent messages for the operator's outbox page and
 * logs them; the link (a live, single-use token) is logged only in embedded mode, where the console is
 * the operator's own. The SMTP mailer delivers for real (SMTP_URL). Tests capture messages.
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

/** A sending failure of the SMTP mailer: nodemailer's code and the server's reply code, if any. */
export class MailDeliveryError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly responseCode: number | undefined,
  ) {
    super(message);
    this.name = 'MailDeliveryError';
  }
}

export interface SmtpMailerOptions {
  /** smtp://[user:pass@]host[:port] (STARTTLS when the server offers it) or smtps://… (TLS at once). */
  url: string;
  /** The From header, `address` or `Name <address>`. */
  from: string;
  /** Bounds the wait for an unreachable or stalled server (invitations await delivery). */
  timeoutMs?: number;
}

/**
 * Delivers through an SMTP server over a small connection pool. Failures reject `send`; the caller
 * decides whether to wait. Bodies and links hold live tokens, so nothing but the kind and the
 * recipient's domain is ever logged, and nodemailer's own logging stays off.
 */
export function smtpMailer(options: SmtpMailerOptions, logger: Logger): Mailer & { close(): void } {
  const log = logger.child({ component: 'mailer' });
  const url = new URL(options.url);
  const secure = url.protocol === 'smtps:';
  const timeout = options.timeoutMs ?? 15_000;
  const transport = createTransport({
    pool: true,
    maxConnections: 3,
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    auth: url.username
      ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
      : undefined,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout * 2,
    logger: false,
    debug: false,
  });
  // An unheard 'error' event would crash the process; failed sends reject on their own anyway.
  transport.on('error', (error: Error) => log.warn({ code: errorCode(error) }, 'SMTP transport error'));
  return {
    async send(message) {
      const domain = message.to.slice(message.to.lastIndexOf('@') + 1);
      try {
        await transport.sendMail({
          from: options.from,
          to: message.to,
          subject: message.subject,
          text: message.text.includes(message.link) ? message.text : `${message.text}\n\n${message.link}`,
        });
      } catch (error) {
        // A fresh error: nodemailer's carries the SMTP exchange, which callers would log whole.
        const reason = error instanceof Error ? error.message : String(error);
        throw new MailDeliveryError(
          `SMTP delivery of ${message.kind} email failed: ${reason}`,
          errorCode(error),
          responseCode(error),
        );
      }
      log.debug({ kind: message.kind, domain }, 'email sent');
    },
    close: () => transport.close(),
  };
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function responseCode(error: unknown): number | undefined {
  const code = (error as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' ? code : undefined;
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
