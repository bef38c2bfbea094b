/**
 * The key that makes one signature per address (README, "Canonical email addresses").
 *
 * Two spellings are one key when every mail provider would deliver them to one mailbox:
 * - letter case never matters (RFC 5321 lets a local part be case-sensitive, but no provider treats it
 *   so, and a signer typing a capital must not sign twice);
 * - Gmail ignores dots in the local part and everything from a `+` on, and googlemail.com is the same
 *   mailbox as gmail.com (Google's help: "Dots don't matter in Gmail addresses"; "+" aliases);
 * - Fastmail and Proton document `+` sub-addressing: the tag goes, dots stay.
 *
 * Nowhere else is a dot or a tag removed: on a provider that does not ignore them, john+a@ and john@
 * can be two people, and merging them would silently refuse one. Outlook.com is left out for that
 * reason (plus addressing is documented for Exchange Online organizations, not every consumer domain).
 *
 * Migration 012 computes exactly this in SQL for the rows stored before it; a property test
 * (test/signatures/email-key.test.ts) holds the two to each other, so change both or neither.
 */
const GMAIL = new Set(['gmail.com', 'googlemail.com']);
export const PLUS_TAG_DOMAINS: ReadonlySet<string> = new Set([
  'fastmail.com',
  'fastmail.fm',
  'protonmail.com',
  'protonmail.ch',
  'proton.me',
  'pm.me',
]);

/** Everything up to the first `+`, unless that would leave nothing. */
const untagged = (local: string): string => {
  const plus = local.indexOf('+');
  return plus > 0 ? local.slice(0, plus) : local;
};

export function emailKey(email: string): string {
  const lower = email.trim().toLowerCase();
  // The last @: a local part may (quoted) hold one, a domain never does.
  const at = lower.lastIndexOf('@');
  if (at < 1) return lower;
  const local = lower.slice(0, at);
  const domain = lower.slice(at + 1);
  if (GMAIL.has(domain)) return `${untagged(local).replaceAll('.', '')}@gmail.com`;
  if (PLUS_TAG_DOMAINS.has(domain)) return `${untagged(local)}@${domain}`;
  return lower;
}

/** The domain part of an address, lower-cased: what the search and the disposable-mail list compare. */
export function emailDomain(email: string): string {
  const lower = email.trim().toLowerCase();
  return lower.slice(lower.lastIndexOf('@') + 1);
}
