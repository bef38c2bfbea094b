import { createHash, randomBytes } from 'node:crypto';

/** What a link from an email may do; see migrations/sqlite/007_email_confirmation.sql. */
export type TokenPurpose = 'confirm' | 'withdraw' | 'unsubscribe';

/** A link's secret: the text that goes in the URL, and the only thing stored, its SHA-256. */
export interface LinkToken {
  token: string;
  hash: Buffer;
}

/** 32 random bytes: unguessable, and base64url so it sits in a path without escaping. */
export function newToken(): LinkToken {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

export const hashToken = (token: string): Buffer => createHash('sha256').update(token).digest();

/** A token as it appears in a link: 43 base64url characters. Anything else is not worth a lookup. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** Fresh tokens for every link one email may carry; the repository stores those the email uses. */
export interface EmailTokens {
  confirm: LinkToken;
  withdraw: LinkToken;
  unsubscribe: LinkToken;
}

export const newEmailTokens = (): EmailTokens => ({
  confirm: newToken(),
  withdraw: newToken(),
  unsubscribe: newToken(),
});
