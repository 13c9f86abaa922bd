import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import { Readable, type Transform } from 'node:stream';
import MailComposer from 'nodemailer/lib/mail-composer';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { AppConfig } from '../config';
import { inSpan } from '../tracing';

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
   * Sends one message. `atFinish`, when given, is called just before the final "." (the point at
   * which the server delivers) to prepare the caller's own commit without sending it yet; the
   * function it returns is called right after the "." is written, to send that commit. The two
   * writes leave the process back to back, so a sender that dies cannot deliver without recording
   * it (or record without delivering) except in the microseconds between two system calls. Before
   * that step the server holds an unfinished message that it discards if this process dies.
   */
  send(message: MailMessage, hooks?: { atFinish?: () => () => void }): Promise<void>;
  /**
   * Whether the mail server already holds a message with this Message-ID, for a mail server that
   * can be asked (MAIL_LOOKUP_URL); absent, an email in doubt is sent again under the same
   * Message-ID (see sendQueued).
   */
  findDelivered?: (messageId: string) => Promise<boolean>;
}

export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  user?: string | undefined;
  password?: string | undefined;
  from: string;
  /** The HTTP API of a MailDev server, to look up an email in doubt (MAIL_LOOKUP_URL). */
  lookupUrl?: string | undefined;
}

/** The SMTP settings of the configuration (the worker's notices and the API's sign-in emails). */
export const smtpSettings = (
  config: Pick<
    AppConfig,
    | 'SMTP_HOST'
    | 'SMTP_PORT'
    | 'SMTP_SECURE'
    | 'SMTP_USER'
    | 'SMTP_PASSWORD'
    | 'MAIL_FROM'
    | 'MAIL_LOOKUP_URL'
  >,
): SmtpSettings => ({
  host: config.SMTP_HOST,
  port: config.SMTP_PORT,
  secure: config.SMTP_SECURE,
  user: config.SMTP_USER,
  password: config.SMTP_PASSWORD,
  from: config.MAIL_FROM,
  lookupUrl: config.MAIL_LOOKUP_URL,
});

/** SMTP through nodemailer's SMTP connection, one connection per message (see Mailer.send). */
export function createSmtpMailer(settings: SmtpSettings): Mailer {
  const mailer = smtpMailer(settings);
  // One span per SMTP exchange, under the activity or relay pass that sends it (lib/tracing.ts).
  const attributes = { 'server.address': settings.host, 'server.port': settings.port };
  return {
    send: (message, hooks) => inSpan('SMTP send', attributes, () => mailer.send(message, hooks)),
    ...(settings.lookupUrl ? { findDelivered: maildevLookup(settings.lookupUrl) } : {}),
  };
}

/**
 * Asks a MailDev server's HTTP API whether it holds a message with this Message-ID. A provider
 * with a message-search API would plug in the same way; a plain SMTP relay cannot be asked.
 */
function maildevLookup(baseUrl: string): (messageId: string) => Promise<boolean> {
  return async (messageId) => {
    const url = new URL('api/email', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
    url.searchParams.set('headers.message-id', messageId);
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`the mail server's lookup answered ${response.status}`);
    return ((await response.json()) as unknown[]).length > 0;
  };
}

function smtpMailer(settings: SmtpSettings): Mailer {
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
          // nodemailer's connection has no hook before the final ".": its socket and the
          // dot-escaping stream it pipes the body through are reached here (pinned nodemailer;
          // test/api/outbox-relay.test.ts fails if this stops working).
          const internals = connection as unknown as {
            _socket: Socket;
            _currentDataStream: (Transform & { lastByte?: number }) | false;
          };
          const escaped = internals._currentDataStream;
          if (!escaped) throw new Error('SMTP connection has no data stream');
          // Let the whole message pass through the escaping stream and the socket's own buffer ...
          const socket = internals._socket;
          while (
            body.readableLength > 0 ||
            escaped.writableLength > 0 ||
            escaped.readableLength > 0 ||
            socket.writableLength > 0
          ) {
            await new Promise((resolve) => setImmediate(resolve));
          }
          // ... then the caller's commit, prepared, the final ".", and the commit sent right after.
          const release = hooks.atFinish?.();
          escaped.unpipe(socket);
          socket.write(escaped.lastByte === 0x0a ? '.\r\n' : '\r\n.\r\n');
          release?.();
          body.push(null);
        }
        await delivered;
        connection.quit();
      } finally {
        connection.close();
      }
    },
  };
}

export const messageIdFor = (dedupeKey: string, domain = 'microinternships.local'): string =>
  `<${createHash('sha256').update(dedupeKey).digest('hex').slice(0, 32)}@${domain}>`;
