import { EventEmitter, once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

export interface TestSmtp {
  port: number;
  url: string;
  /** Every message received, parsed by mailparser, in arrival order. */
  messages: ParsedMail[];
  /** Resolves once `count` messages in all have arrived (the received event, never a sleep). */
  received(count: number): Promise<ParsedMail[]>;
  /** Emits 'data' when a message's DATA begins. */
  events: EventEmitter;
  /** Stops listening (the port is then refused) and resolves when closed. */
  close(): Promise<void>;
}

export interface TestSmtpOptions {
  /** Listen on this port (to bring a server "back" where the site expects it); 0 picks one. */
  port?: number;
  /** An SMTP error reply for RCPT TO, such as 550 for an address that does not exist. */
  rejectRecipient?: (address: string) => { code: number; message: string } | undefined;
  /** Holds each message's DATA until this resolves (a send kept in flight); 'data' is emitted first. */
  holdData?: () => Promise<void>;
}

/**
 * A real SMTP server (the smtp-server package) on 127.0.0.1, as the site's sender meets it in
 * production: EHLO, MAIL FROM, RCPT TO, DATA. No TLS or authentication, like a local relay.
 */
export async function startSmtp(options: TestSmtpOptions = {}): Promise<TestSmtp> {
  const messages: ParsedMail[] = [];
  const events = new EventEmitter();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 1024 * 1024,
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      const refusal = options.rejectRecipient?.(address.address);
      if (!refusal) return callback();
      callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
    },
    onData(stream, _session, callback) {
      events.emit('data');
      Promise.all([simpleParser(stream), options.holdData?.()])
        .then(([mail]) => mail)
        .then((mail) => {
          messages.push(mail);
          callback();
          events.emit('message');
        })
        .catch((error: Error) => callback(error));
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    events,
    async received(count) {
      while (messages.length < count) await once(events, 'message');
      return messages.slice(0, count);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Every distinct http(s) address in a text. */
export const urlsIn = (text: string): string[] => [...new Set(text.match(/https?:\/\/[^\s"<>]+/g) ?? [])];

/** The path (with its token) of the one link of a message's text. */
export function onlyLink(mail: ParsedMail): string {
  const urls = urlsIn(mail.text ?? '');
  if (urls.length !== 1) throw new Error(`expected one link, found ${urls.length}: ${urls.join(' ')}`);
  return new URL(urls[0] as string).pathname;
}

/** A header's value exactly as sent (mailparser folds List-* headers into an object of its own). */
export const rawHeader = (mail: ParsedMail, name: string): string | undefined => {
  const line = mail.headerLines.find((h) => h.key === name.toLowerCase())?.line;
  return line
    ?.slice(line.indexOf(':') + 1)
    .replace(/\r?\n[ \t]+/g, ' ')
    .trim();
};
