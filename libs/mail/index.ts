// Outgoing email. Activities see only the small `Mailer` interface, so tests can pass their own;
// the worker builds the SMTP one from SmtpConfig with nodemailer.
import { createTransport } from 'nodemailer';
import type { SmtpConfig } from '@libs/config';

export interface MailMessage {
  to: { name: string; address: string };
  subject: string;
  text: string;
  /** a full Message-ID header value, `<…@…>`; the sender sets it so that retries repeat it */
  messageId: string;
}

export interface Mailer {
  /** resolves once the server has accepted the message; rejects on any SMTP failure */
  send(message: MailMessage): Promise<void>;
}

/** The SMTP mailer for SMTP_URL, or null when it is unset (notifications are then in-app only). */
export function createSmtpMailer(config: Pick<SmtpConfig, 'SMTP_URL' | 'SMTP_FROM'>): Mailer | null {
  if (!config.SMTP_URL) return null;
  // One connection per message, no pool: a few messages per due event, and nothing stale to keep.
  // Timeouts well inside the activity's 30-second start-to-close timeout (nodemailer's defaults
  // are minutes); query parameters in SMTP_URL (e.g. ?requireTLS=true) override these.
  const transport = createTransport({ url: config.SMTP_URL, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 });
  return {
    async send(message) {
      await transport.sendMail({
        from: config.SMTP_FROM,
        to: message.to,
        subject: message.subject,
        text: message.text,
        messageId: message.messageId,
        // RFC 3834: machine-generated, so auto-responders should not reply.
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
    },
  };
}

/** Where mail goes, as host:port, for logs: never the user or password. */
export function smtpTarget(smtpUrl: string): string {
  const url = new URL(smtpUrl);
  return `${url.hostname}:${url.port || (url.protocol === 'smtps:' ? 465 : 587)}`;
}
