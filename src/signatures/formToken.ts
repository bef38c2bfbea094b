import type { Signer } from '../http/signing.js';

/**
 * The form's timing token: the campaign and the moment the form was first drawn, signed so it cannot
 * be forged. It tells how long a person had the form before sending it (too quick is a bot), and it
 * travels with the form through every error page, so fixing a typo never restarts the clock.
 *
 * The time is in seconds with milliseconds ("amazon-ring:1795867200.123"). It is when the server drew
 * the page; a shared copy of the page carries the time it was drawn for the first viewer, so the time
 * measured is never shorter than the person really had, only longer.
 */

/**
 * After this the token no longer counts, so one token copied by a bot cannot be replayed for ever. A
 * person whose tab was open that long is not turned away: the form comes back with their values and a
 * new token, and one more press sends it.
 */
export const FORM_TOKEN_LIFETIME_MS = 24 * 60 * 60 * 1000;

export type FormTiming =
  /** The token this form was drawn with, and how long ago that was. */
  | { state: 'valid'; token: string; elapsedMs: number }
  /** No token at all: no browser sends the form without its hidden field. */
  | { state: 'missing' }
  /** Signed by us, but too old. */
  | { state: 'expired' }
  /** Not signed by us (edited, or from before a change of SECRET_KEY), or for another campaign. */
  | { state: 'invalid' };

export function issueFormToken(signer: Signer, slug: string, at: Date): string {
  return signer.sign(`${slug}:${(at.getTime() / 1000).toFixed(3)}`);
}

export function readFormToken(signer: Signer, slug: string, value: unknown, now: Date): FormTiming {
  if (typeof value !== 'string' || value === '') return { state: 'missing' };
  const verified = signer.verify(value);
  const colon = verified?.lastIndexOf(':') ?? -1;
  if (!verified || colon < 0 || verified.slice(0, colon) !== slug) return { state: 'invalid' };
  const startedMs = Number(verified.slice(colon + 1)) * 1000;
  if (!Number.isFinite(startedMs)) return { state: 'invalid' };
  const elapsedMs = now.getTime() - startedMs;
  if (elapsedMs > FORM_TOKEN_LIFETIME_MS) return { state: 'expired' };
  return { state: 'valid', token: value, elapsedMs };
}

/**
 * The token to draw a form with again (an error page, the rate-limit page): the one it came with while
 * that is good. An expired one is renewed as if issued `minFillSeconds` ago, because the person had
 * already filled the form in: sending it again at once must count. A forged or missing one is renewed
 * from now, so it buys a bot nothing.
 */
export function tokenToRedraw(
  signer: Signer,
  slug: string,
  timing: FormTiming,
  now: Date,
  minFillSeconds: number,
): string {
  if (timing.state === 'valid') return timing.token;
  const at = timing.state === 'expired' ? new Date(now.getTime() - minFillSeconds * 1000) : now;
  return issueFormToken(signer, slug, at);
}
