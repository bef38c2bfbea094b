import { z } from 'zod';
import { fromRoot } from './paths.js';

/** Whole numbers from environment strings; an empty string counts as unset. */
const int = (min: number, max: number) =>
  z.coerce
    .number({ error: `must be a whole number from ${min} to ${max}` })
    .int(`must be a whole number from ${min} to ${max}`)
    .min(min, `must be a whole number from ${min} to ${max}`)
    .max(max, `must be a whole number from ${min} to ${max}`);

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_PATH: z.string().min(1).default(fromRoot('data', 'undersigned.db')),
  CAMPAIGNS_DIR: z.string().min(1).default(fromRoot('campaigns')),
  BASE_URL: z
    .url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL such as https://example.org' })
    .optional(),
  // A hop count, never "true": trusting every X-Forwarded-For would let any client pick its own
  // address and walk around the rate limits.
  TRUST_PROXY: int(0, 10).default(0),
  SIGN_RATE_LIMIT: int(0, 1_000_000).default(10),
  LOGIN_RATE_LIMIT: int(0, 1_000_000).default(10),
  MIN_FILL_SECONDS: int(0, 600).default(3),
  SECRET_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_IDLE_MINUTES: int(5, 24 * 60).default(60),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  production: boolean;
  port: number;
  host: string;
  databasePath: string;
  campaignsDir: string;
  /** Absolute origin used for share links and social previews, without a trailing slash. */
  baseUrl: string;
  /** True when the public origin is https: turns on HSTS and __Host- cookies. */
  secure: boolean;
  trustProxy: number;
  signRateLimit: number;
  loginRateLimit: number;
  minFillSeconds: number;
  /** Set by the operator, or undefined to use the one generated on first start and kept in the database. */
  secretKey: string | undefined;
  logLevel: Env['LOG_LEVEL'];
  sessionIdleMinutes: number;
  /** Body and timeout limits; tests shrink them. */
  limits: { formBodyBytes: string; headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number };
}

export class ConfigError extends Error {}

/** Parses the environment once at start-up; a bad value stops start-up naming the variable. */
export function loadConfig(source: Record<string, string | undefined>): Config {
  // Treat VAR= (empty) as unset so a blank line in an env file falls back to the default.
  const cleaned = Object.fromEntries(
    Object.keys(envSchema.shape).map((key) => [key, source[key] === '' ? undefined : source[key]]),
  );
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const env = parsed.data;
  const baseUrl = (env.BASE_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');
  return {
    env: env.NODE_ENV,
    production: env.NODE_ENV === 'production',
    port: env.PORT,
    host: env.HOST,
    databasePath: env.DATABASE_PATH,
    campaignsDir: env.CAMPAIGNS_DIR,
    baseUrl,
    secure: baseUrl.startsWith('https:'),
    trustProxy: env.TRUST_PROXY,
    signRateLimit: env.SIGN_RATE_LIMIT,
    loginRateLimit: env.LOGIN_RATE_LIMIT,
    minFillSeconds: env.MIN_FILL_SECONDS,
    secretKey: env.SECRET_KEY,
    logLevel: env.LOG_LEVEL,
    sessionIdleMinutes: env.SESSION_IDLE_MINUTES,
    limits: { formBodyBytes: '16kb', headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000 },
  };
}
