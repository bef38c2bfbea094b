import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Small HMAC helpers over the server secret: tamper-evident values for the form timestamp and the
 * thank-you cookie, and one-way hashes of client addresses.
 */
export interface Signer {
  sign(value: string): string;
  verify(signed: string): string | undefined;
  hash(purpose: string, value: string): string;
}

export function createSigner(secret: string): Signer {
  const mac = (value: string) => createHmac('sha256', secret).update(value).digest('base64url');
  return {
    sign: (value) => `${value}.${mac(value)}`,
    verify(signed) {
      const dot = signed.lastIndexOf('.');
      if (dot < 0) return undefined;
      const value = signed.slice(0, dot);
      const given = Buffer.from(signed.slice(dot + 1));
      const expected = Buffer.from(mac(value));
      return given.length === expected.length && timingSafeEqual(given, expected) ? value : undefined;
    },
    hash: (purpose, value) => mac(`${purpose}\u0000${value}`),
  };
}
