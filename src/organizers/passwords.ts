import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

/** OWASP Password Storage Cheat Sheet's first scrypt configuration (about half a second here). */
export const OWASP_SCRYPT: ScryptCost = { N: 2 ** 17, r: 8, p: 1 };

export const PASSWORD_MIN = 12;
/** Long enough for any passphrase, short enough that hashing one is not a way to burn CPU. */
export const PASSWORD_MAX = 1024;

const KEY_LENGTH = 64;

function derive(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; Node's default cap (32 MiB) is below what N=2^17 asks for.
  const options: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r };
  // The async form runs in libuv's thread pool, so a sign-in never blocks other requests.
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, options, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/** Why a password cannot be used, or undefined when it can. Counts characters, not bytes. */
export function passwordProblem(password: string): string | undefined {
  const length = [...password].length;
  if (length < PASSWORD_MIN) return `The password must be at least ${PASSWORD_MIN} characters long.`;
  if (length > PASSWORD_MAX) return `The password must be at most ${PASSWORD_MAX} characters long.`;
  return undefined;
}

export async function hashPassword(password: string, cost: ScryptCost = OWASP_SCRYPT): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, cost);
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

function parse(hash: string): { cost: ScryptCost; salt: Buffer; key: Buffer } | undefined {
  const [scheme, n, r, p, salt, key] = hash.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return undefined;
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  if (![cost.N, cost.r, cost.p].every((v) => Number.isInteger(v) && v > 0)) return undefined;
  return { cost, salt: Buffer.from(salt, 'base64url'), key: Buffer.from(key, 'base64url') };
}

export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const stored = parse(hash);
  if (!stored || password.length > PASSWORD_MAX * 4) return false;
  const key = await derive(password, stored.salt, stored.cost);
  return key.length === stored.key.length && timingSafeEqual(key, stored.key);
}

/**
 * Hashed once, when the app is built (organizerRoutes starts it): an unknown email is checked against
 * this so that it costs the same time as a known one, and response times do not reveal which
 * addresses have accounts. Made on first use instead, the first unknown sign-in after a start took
 * twice as long as any other, and said so.
 */
let dummy: Promise<string> | undefined;
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(18).toString('base64url'));
  return dummy;
}

/** Whether the dummy hash has been started (it must be by the time the app serves). */
export const dummyHashStarted = (): boolean => dummy !== undefined;

/** Too many sign-ins are being checked at once: the person should try again in a moment. */
export class HashingBusyError extends Error {
  readonly status = 503;
  constructor() {
    super('too many password checks waiting');
  }
}

/**
 * A bound on the password hashes run at once. Each scrypt at the OWASP cost takes 128 MiB and half a
 * second of a core; a burst of 50 parallel guesses took the process from 98 to 623 MB (issue 11).
 * `running` hash at a time, up to `waiting` more queue (first come, first served), and past that a
 * try is refused at once with HashingBusyError, before any hashing.
 */
export interface HashLimit {
  run<T>(task: () => Promise<T>): Promise<T>;
}

export function createHashLimit(running = 2, waiting = 16): HashLimit {
  let active = 0;
  const queue: (() => void)[] = [];
  const release = () => {
    active--;
    const next = queue.shift();
    if (next) {
      active++;
      next();
    }
  };
  return {
    async run(task) {
      if (active >= running) {
        if (queue.length >= waiting) throw new HashingBusyError();
        await new Promise<void>((resolve) => queue.push(resolve));
      } else {
        active++;
      }
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}
