import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { fromRoot } from './paths.js';

/** Whole numbers from environment strings; an empty string counts as unset. */
const int = (min: number, max: number) =>
  z.coerce
    .number({ error: `must be a whole number from ${min} to ${max}` })
    .int(`must be a whole number from ${min} to ${max}`)
    .min(min, `must be a whole number from ${min} to ${max}`)
    .max(max, `must be a whole number from ${min} to ${max}`);

/** Makes a key of the right length; shown wherever SECRET_KEY is asked for. */
export const SECRET_KEY_COMMAND = `node -e "console.log(require('node:crypto').randomBytes(32).toString('base64url'))"`;

const envSchema = z.object({
  NODE_ENV: z
    .enum(['development', 'production', 'test'], { error: 'must be development, production or test' })
    .default('development'),
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_PATH: z.string().min(1).default(fromRoot('data', 'undersigned.db')),
  // PostgreSQL for several app servers (issue 13). When set, DATABASE_PATH is not used.
  // Only the scheme is checked here: a unix-socket URL has no host (postgres://user@/db?host=/run/postgresql),
  // which URL parsers refuse but libpq and pg accept; whatever else is wrong, connecting says (src/postgres.ts).
  DATABASE_URL: z
    .string()
    .refine((value) => /^postgres(ql)?:\/\/\S+$/.test(value), {
      error: 'must be a postgres:// URL such as postgres://undersigned:password@db.example.org:5432/undersigned',
    })
    .optional(),
  CAMPAIGNS_DIR: z.string().min(1).default(fromRoot('campaigns')),
  BASE_URL: z
    .url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL such as https://example.org' })
    .optional(),
  // A hop count, never "true": trusting every X-Forwarded-For would let any client pick its own
  // address and walk around the rate limits.
  TRUST_PROXY: int(0, 10).default(0),
  SIGN_RATE_LIMIT: int(0, 1_000_000).default(10),
  LOGIN_RATE_LIMIT: int(0, 1_000_000).default(10),
  // Seconds, fractions allowed (0.5). One second lets a browser's autofill and a quick press through,
  // and still catches the scripts that post the instant they have the page.
  MIN_FILL_SECONDS: z.coerce
    .number({ error: 'must be a number of seconds from 0 to 600, such as 1 or 0.5' })
    .min(0, 'must be a number of seconds from 0 to 600, such as 1 or 0.5')
    .max(600, 'must be a number of seconds from 0 to 600, such as 1 or 0.5')
    .default(1),
  SECRET_KEY: z.string().min(32, `must be at least 32 characters; make one with ${SECRET_KEY_COMMAND}`).optional(),
  SITE_NAME: z.string().trim().min(1).max(60, 'must be at most 60 characters').default('Undersigned'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'must be one of fatal, error, warn, info, debug, trace or silent',
    })
    .default('info'),
  SESSION_IDLE_MINUTES: int(5, 24 * 60).default(60),
  // Mail (issue 12). Without SMTP_URL, outside production, mail is written to files (src/mail/transport.ts).
  SMTP_URL: z
    .url({
      protocol: /^smtps?$/,
      error: 'must be an smtp:// or smtps:// URL such as smtps://user:password@smtp.example.org:465',
    })
    .optional(),
  MAIL_FROM: z.string().trim().min(3).max(300).optional(),
  DKIM_DOMAIN: z.string().trim().min(1).optional(),
  DKIM_SELECTOR: z.string().trim().min(1).optional(),
  DKIM_KEY_FILE: z.string().trim().min(1).optional(),
  MAIL_RETRY_SECONDS: int(1, 3600).default(30),
  SMTP_CONNECTIONS: int(1, 100).default(5),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  production: boolean;
  port: number;
  host: string;
  databasePath: string;
  /** postgres://… when the site runs on PostgreSQL; undefined for the SQLite file at databasePath. */
  databaseUrl: string | undefined;
  campaignsDir: string;
  /** Absolute origin used for share links and social previews, without a trailing slash. */
  baseUrl: string;
  /** True when the public origin is https: turns on HSTS and __Host- cookies. */
  secure: boolean;
  /** The site's name, in every page title, the header and link previews. */
  siteName: string;
  trustProxy: number;
  signRateLimit: number;
  loginRateLimit: number;
  minFillSeconds: number;
  /** Set by the operator, or undefined (outside production) to use the one generated on first start and kept in the database. */
  secretKey: string | undefined;
  logLevel: Env['LOG_LEVEL'];
  sessionIdleMinutes: number;
  mail: MailConfig;
  /** Body and timeout limits; tests shrink them. */
  limits: { formBodyBytes: string; headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number };
}

export interface MailConfig {
  /** smtp:// or smtps:// with credentials; undefined writes mail to files in `dir` (never in production). */
  smtpUrl: string | undefined;
  /** The From header: an address, or "Name <address>". */
  from: string;
  dkim: { domain: string; selector: string; keyFile: string } | undefined;
  /** Where mail is written as .eml files when there is no SMTP_URL: beside the database. */
  dir: string;
  /** First retry after a temporary failure; each further one waits twice as long, up to an hour. */
  retrySeconds: number;
  /** Connections the SMTP pool keeps open, each carrying one message at a time. */
  connections: number;
  /**
   * Emails that signing may cause, so the form cannot flood someone's inbox: at most this many per
   * signature (e-petitions stops at 5), and per address in one UTC day across every campaign.
   */
  caps: { perSignature: number; perAddressPerDay: number };
}

export class ConfigError extends Error {}

/**
 * Parses the environment once at start-up; a bad value stops start-up naming the variable. The
 * ConfigError's message is one line per problem, each a sentence that starts with the variable.
 */
export function loadConfig(source: Record<string, string | undefined>): Config {
  // Treat VAR= (empty) as unset so a blank line in an env file falls back to the default.
  const cleaned = Object.fromEntries(
    Object.keys(envSchema.shape).map((key) => [key, source[key] === '' ? undefined : source[key]]),
  );
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('\n'));
  }
  const env = parsed.data;
  const baseUrl = (env.BASE_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');
  const dkimSet = [env.DKIM_DOMAIN, env.DKIM_SELECTOR, env.DKIM_KEY_FILE].filter((v) => v !== undefined).length;
  if (dkimSet !== 0 && dkimSet !== 3) {
    throw new ConfigError(
      'DKIM_DOMAIN, DKIM_SELECTOR and DKIM_KEY_FILE go together: set all three to sign mail with DKIM, or none',
    );
  }
  return {
    env: env.NODE_ENV,
    production: env.NODE_ENV === 'production',
    port: env.PORT,
    host: env.HOST,
    databasePath: env.DATABASE_PATH,
    databaseUrl: env.DATABASE_URL,
    campaignsDir: env.CAMPAIGNS_DIR,
    baseUrl,
    secure: baseUrl.startsWith('https:'),
    siteName: env.SITE_NAME,
    trustProxy: env.TRUST_PROXY,
    signRateLimit: env.SIGN_RATE_LIMIT,
    loginRateLimit: env.LOGIN_RATE_LIMIT,
    minFillSeconds: env.MIN_FILL_SECONDS,
    secretKey: env.SECRET_KEY,
    logLevel: env.LOG_LEVEL,
    sessionIdleMinutes: env.SESSION_IDLE_MINUTES,
    mail: {
      smtpUrl: env.SMTP_URL,
      from: env.MAIL_FROM ?? `Undersigned <no-reply@${new URL(baseUrl).hostname}>`,
      dkim:
        env.DKIM_DOMAIN && env.DKIM_SELECTOR && env.DKIM_KEY_FILE
          ? { domain: env.DKIM_DOMAIN, selector: env.DKIM_SELECTOR, keyFile: env.DKIM_KEY_FILE }
          : undefined,
      dir:
        env.DATABASE_PATH === ':memory:' ? fromRoot('data', 'mail') : join(dirname(resolve(env.DATABASE_PATH)), 'mail'),
      retrySeconds: env.MAIL_RETRY_SECONDS,
      connections: env.SMTP_CONNECTIONS,
      caps: { perSignature: 5, perAddressPerDay: 10 },
    },
    limits: { formBodyBytes: '16kb', headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000 },
  };
}

/**
 * The server's configuration: loadConfig, and in production also BASE_URL and SECRET_KEY, which have
 * no safe default there. Without BASE_URL every share link and preview points at localhost; without
 * SECRET_KEY the generated key sits in the database beside the address hashes it protects, so anyone
 * with a copy of the file can reverse them. The tools read only loadConfig: they need neither.
 */
export function loadServerConfig(source: Record<string, string | undefined>): Config {
  const config = loadConfig(source);
  if (!config.production) return config;
  const missing: string[] = [];
  if (!source.BASE_URL)
    missing.push(
      'BASE_URL is not set: in production set it to the address people use to reach the site, for example BASE_URL=https://sign.example.org',
    );
  if (!source.SECRET_KEY)
    missing.push(`SECRET_KEY is not set: in production set it to a random key made with ${SECRET_KEY_COMMAND}`);
  if (missing.length) throw new ConfigError(missing.join('\n'));
  return config;
}
