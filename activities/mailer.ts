import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import MailComposer from 'nodemailer/lib/mail-composer';
import SMTPConnection from 'nodemailer/lib/smtp-connection';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Stable per business email, so a receiving server can drop a duplicate of a retried send. */
  messageId: string;
}

export interface Mailer {
  /**
   * Sends one message. `beforeFinish`, when given, runs once the server has accepted DATA and holds
   * the whole message but before the final "." that makes it deliver: a sender that records
   * "sent" there and dies before it finishes leaves the server nothing to deliver, so the retry
   * cannot duplicate the email.
   */
  send(message: MailMessage, hooks?: { beforeFinish?: () => Promise<void> }): Promise<void>;
  close(): void;
}

export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  user?: string | undefined;
  password?: string | undefined;
  from: string;
}

/** SMTP through nodemailer's SMTP connection, one connection per message (see Mailer.send). */
export function createSmtpMailer(settings: SmtpSettings): Mailer {
  return {
    async send(message, hooks = {}) {
      const mime = new MailComposer({ from: settings.from, ...message }).compile();
      const raw = await mime.build();
      const connection = new SMTPConnection({
        host: settings.host,
        port: settings.port,
        secure: settings.secure,
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 30_000,
      });
      try {
        await new Promise<void>((resolve, reject) => {
          connection.once('error', reject);
          connection.connect(() => resolve());
        });
        if (settings.user) {
          await new Promise<void>((resolve, reject) =>
            connection.login({ user: settings.user!, pass: settings.password ?? '' }, (err) =>
              err ? reject(err) : resolve(),
            ),
          );
        }
        // The connection reads the body only after the server answered DATA with 354.
        let dataAccepted!: () => void;
        const accepted = new Promise<'accepted'>((resolve) => (dataAccepted = () => resolve('accepted')));
        let given = false;
        const body = new Readable({
          read() {
            if (given) return;
            given = true;
            this.push(raw);
            dataAccepted();
          },
        });
        const delivered = new Promise<'delivered'>((resolve, reject) =>
          connection.send(mime.getEnvelope(), body, (err) => (err ? reject(err) : resolve('delivered'))),
        );
        delivered.catch(() => undefined); // awaited below; a failure before DATA settles the race
        if ((await Promise.race([accepted, delivered])) === 'accepted') {
          try {
            await hooks.beforeFinish?.();
          } catch (err) {
            body.destroy(err as Error); // the server gets no final ".": it delivers nothing
            throw err;
          }
          body.push(null);
        }
        await delivered;
        connection.quit();
      } finally {
        connection.close();
      }
    },
    close: () => undefined,
  };
}

export const messageIdFor = (dedupeKey: string, domain = 'microinternships.local'): string =>
  `<${createHash('sha256').update(dedupeKey).digest('hex').slice(0, 32)}@${domain}>`;
