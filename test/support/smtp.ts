// A real SMTP server in the test process (smtp-server), which parses what arrives (mailparser) and
// can refuse or hold messages to chosen recipients to simulate a failing or stalling relay.
import { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  /** envelope recipients */
  rcptTo: string[];
  from: string;
  subject: string;
  text: string;
  messageId: string;
  headers: Map<string, unknown>;
}

export interface TestSmtpServer {
  /** smtp://user:password@127.0.0.1:port, for SMTP_URL */
  url: string;
  /** messages accepted (answered 250), in order */
  received: ReceivedMail[];
  /** transient refusals (451) so far, by recipient */
  refusals: Map<string, number>;
  /** refuses the next `count` messages to `recipient` with 451 after reading them */
  refuse(recipient: string, count: number): void;
  /** reads the next message to `recipient` and never answers it; resolves when it has arrived */
  hold(recipient: string): Promise<void>;
  close(): Promise<void>;
}

const USER = 'casework';
const PASSWORD = 's3cret-smtp';

export async function startTestSmtpServer(): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const refusals = new Map<string, number>();
  const toRefuse = new Map<string, number>();
  const holds = new Map<string, () => void>();

  const server = new SMTPServer({
    // Plain SMTP with AUTH on 127.0.0.1: no STARTTLS (its self-signed certificate would fail
    // nodemailer's check), but the credentials in the URL are still required and checked.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      if (auth.username === USER && auth.password === PASSWORD) callback(null, { user: USER });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const rcptTo = session.envelope.rcptTo.map((a) => a.address.toLowerCase());
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const held = rcptTo.map((r) => holds.get(r)).find(Boolean);
        if (held) {
          rcptTo.forEach((r) => holds.delete(r));
          held(); // and never call back: the client waits for a reply that does not come
          return;
        }
        const refused = rcptTo.find((r) => (toRefuse.get(r) ?? 0) > 0);
        if (refused) {
          toRefuse.set(refused, toRefuse.get(refused)! - 1);
          refusals.set(refused, (refusals.get(refused) ?? 0) + 1);
          const error = Object.assign(new Error('Try again later'), { responseCode: 451 });
          callback(error);
          return;
        }
        simpleParser(Buffer.concat(chunks)).then(
          (mail) => {
            received.push({
              rcptTo,
              from: mail.from?.text ?? '',
              subject: mail.subject ?? '',
              text: mail.text ?? '',
              messageId: mail.messageId ?? '',
              headers: mail.headers,
            });
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;

  return {
    url: `smtp://${USER}:${PASSWORD}@127.0.0.1:${port}`,
    received,
    refusals,
    refuse: (recipient, count) => void toRefuse.set(recipient.toLowerCase(), count),
    hold: (recipient) => new Promise<void>((resolve) => void holds.set(recipient.toLowerCase(), resolve)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
