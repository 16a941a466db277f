/** The mail port lives in the platform (every module may send email); re-exported for identity's callers. */
export { CapturingMailer, consoleMailer, type Mailer, type MailMessage } from '../../platform/mailer.js';
