import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import { ConfigError, type MailConfig } from '../config.js';

/** Where mail leaves the site: an SMTP server, or files for development. */
export interface MailTransport {
  kind: 'smtp' | 'files';
  send(message: SendMailOptions): Promise<void>;
  close(): void;
}

/**
 * A pooled SMTP transport for SMTP_URL. smtps:// is TLS from the first byte (port 465); smtp:// uses
 * STARTTLS when the server offers it, and insists on it when the URL carries credentials, so a password
 * never crosses the network in clear. Timeouts are short enough that a send in flight ends well inside
 * its outbox lease (sender.ts), so no other process can claim it while it may still go out.
 */
export function smtpTransport(config: MailConfig): MailTransport {
  const url = new URL(config.smtpUrl ?? '');
  const secure = url.protocol === 'smtps:';
  const user = decodeURIComponent(url.username);
  const dkim = config.dkim ? readDkim(config.dkim) : undefined;
  const transporter: Transporter = nodemailer.createTransport({
    pool: true,
    maxConnections: config.connections,
    maxMessages: 1000,
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    requireTLS: !secure && user !== '',
    auth: user ? { user, pass: decodeURIComponent(url.password) } : undefined,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
    dkim,
  });
  return {
    kind: 'smtp',
    async send(message) {
      await transporter.sendMail(message);
    },
    close: () => transporter.close(),
  };
}

function readDkim(dkim: NonNullable<MailConfig['dkim']>) {
  let privateKey: string;
  try {
    privateKey = readFileSync(dkim.keyFile, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `DKIM_KEY_FILE ${dkim.keyFile} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}): set it to the PEM file of the DKIM private key`,
    );
  }
  return {
    domainName: dkim.domain,
    keySelector: dkim.selector,
    privateKey,
    // nodemailer's default list plus List-Unsubscribe-Post, which RFC 8058 requires the signature to cover.
    headerFieldNames:
      'From:Sender:Reply-To:Subject:Date:Message-ID:To:Cc:MIME-Version:Content-Type:Content-Transfer-Encoding:' +
      'List-Unsubscribe:List-Unsubscribe-Post:Auto-Submitted',
  };
}

/**
 * Development without an SMTP server: each message is written whole (as an .eml file any mail program
 * opens) into `dir`, and listed at /dev/mail, so a fresh checkout can be signed and confirmed end to end.
 */
export function fileTransport(dir: string): MailTransport {
  const builder = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  let made = false;
  return {
    kind: 'files',
    async send(message) {
      if (!made) mkdirSync(dir, { recursive: true });
      made = true;
      const info = (await builder.sendMail(message)) as unknown as { message: Buffer };
      const id = String(message.messageId ?? Date.now()).replace(/[^A-Za-z0-9.-]/g, '');
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${id}.eml`;
      // Written aside and renamed, so the page never lists half a message.
      const temporary = join(dir, `.${name}.tmp`);
      writeFileSync(temporary, info.message);
      renameSync(temporary, join(dir, name));
    },
    close: () => builder.close(),
  };
}

export function createMailTransport(config: MailConfig): MailTransport {
  return config.smtpUrl ? smtpTransport(config) : fileTransport(config.dir);
}
