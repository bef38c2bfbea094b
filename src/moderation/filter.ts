import { cleanLine } from '../signatures/form.js';
import { emailDomain, emailKey } from '../signatures/emailKey.js';

/**
 * Which of a campaign's signatures an organizer means: the search form's fields, and the rule an
 * invalidation applies (README, "Against fake signatures"). Every field is already in the form the
 * database compares: the canonical email key, the canonical domain, names cleaned like the signing
 * form cleans them, postal codes upper-case, times as stored (UTC ISO 8601).
 */
export interface SignatureFilter {
  firstName?: string;
  lastName?: string;
  email?: string;
  domain?: string;
  postcode?: string;
  /** The address code (signatures.source_hash, an HMAC of the client address; never the address). */
  source?: string;
  /** Signed at or after (ISO 8601, UTC). */
  from?: string;
  /** Signed before (ISO 8601, UTC). */
  to?: string;
}

export const FILTER_FIELDS = [
  'first_name',
  'last_name',
  'email',
  'domain',
  'postcode',
  'source',
  'from',
  'to',
] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];
export type FilterValues = Partial<Record<FilterField, string>>;

export interface FilterError {
  field: FilterField;
  message: string;
}

export type ParsedFilter =
  | { ok: true; filter: SignatureFilter; values: FilterValues }
  | { ok: false; errors: FilterError[]; values: FilterValues };

const DOMAIN = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;
/** `2026-11-28T10:00` (a datetime-local input) or `2026-11-28`, read as UTC. */
const WHEN = /^(\d{4}-\d\d-\d\d)(?:[T ](\d\d:\d\d))?$/;

function instant(value: string, endOfDay: boolean): string | undefined {
  const match = WHEN.exec(value);
  if (!match) return undefined;
  const date = new Date(`${match[1]}T${match[2] ?? '00:00'}:00.000Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== match[1]) return undefined;
  // A date alone as the end of a window means the whole of that day.
  if (endOfDay && !match[2]) date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString();
}

/** The form's values (strings from a query string or a posted form), checked and made comparable. */
export function parseFilter(input: Record<string, unknown>): ParsedFilter {
  const values: FilterValues = {};
  for (const field of FILTER_FIELDS) {
    const raw = input[field];
    if (typeof raw === 'string' && raw.trim()) values[field] = raw.trim().slice(0, 300);
  }
  const filter: SignatureFilter = {};
  const errors: FilterError[] = [];
  const name = (field: 'first_name' | 'last_name') => {
    const value = values[field] && cleanLine(values[field]);
    return value || undefined;
  };
  filter.firstName = name('first_name');
  filter.lastName = name('last_name');
  if (values.email) {
    if (/^[^@\s]+@[^@\s]+$/.test(values.email)) filter.email = emailKey(values.email);
    else
      errors.push({
        field: 'email',
        message: 'Enter a whole email address, like ann@example.org, or search by its domain',
      });
  }
  if (values.domain) {
    const domain = values.domain.replace(/^.*@/, '').toLowerCase();
    // The domain as keys hold it: googlemail.com is keyed as gmail.com.
    if (DOMAIN.test(domain)) filter.domain = emailDomain(emailKey(`x@${domain}`));
    else errors.push({ field: 'domain', message: 'Enter an email domain, like example.org' });
  }
  if (values.postcode) filter.postcode = cleanLine(values.postcode).toUpperCase().replace(/\s+/g, ' ');
  if (values.source) {
    // As the signals link it: the whole code, base64url (src/http/signing.ts).
    if (/^[A-Za-z0-9_-]{20,100}$/.test(values.source)) filter.source = values.source;
    else errors.push({ field: 'source', message: 'Enter an address code as the signals on the count page link it' });
  }
  for (const field of ['from', 'to'] as const) {
    const value = values[field];
    if (!value) continue;
    const at = instant(value, field === 'to');
    if (at) filter[field] = at;
    else errors.push({ field, message: 'Enter a date and time like 2026-11-28 14:30 (UTC)' });
  }
  if (filter.from && filter.to && filter.to <= filter.from) {
    errors.push({ field: 'to', message: 'The end of the time window must be after its start' });
  }
  for (const key of Object.keys(filter) as (keyof SignatureFilter)[]) if (filter[key] === undefined) delete filter[key];
  return errors.length ? { ok: false, errors, values } : { ok: true, filter, values };
}

export const isEmptyFilter = (filter: SignatureFilter): boolean => Object.keys(filter).length === 0;

/** The query string that opens the search with this filter (the values as the form would send them). */
export function filterQuery(filter: SignatureFilter): string {
  const params = new URLSearchParams();
  if (filter.firstName) params.set('first_name', filter.firstName);
  if (filter.lastName) params.set('last_name', filter.lastName);
  if (filter.email) params.set('email', filter.email);
  if (filter.domain) params.set('domain', filter.domain);
  if (filter.postcode) params.set('postcode', filter.postcode);
  if (filter.source) params.set('source', filter.source);
  if (filter.from) params.set('from', filter.from.slice(0, 16));
  if (filter.to) params.set('to', filter.to.slice(0, 16));
  return params.toString();
}

/** The first characters of an address code: enough to tell codes apart on a page. */
export const shortCode = (source: string): string => source.slice(0, 8);

const whenText = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;

/** "last name “Smith”, email domain mailinator.com, signed from 2026-11-28 10:00 to 2026-11-28 12:00 UTC". */
export function describeFilter(filter: SignatureFilter): string {
  const parts: string[] = [];
  if (filter.firstName) parts.push(`first name “${filter.firstName}”`);
  if (filter.lastName) parts.push(`last name “${filter.lastName}”`);
  if (filter.email) parts.push(`email ${filter.email}`);
  if (filter.domain) parts.push(`email domain ${filter.domain}`);
  if (filter.postcode) parts.push(`postal code ${filter.postcode}`);
  if (filter.source) parts.push(`address code ${shortCode(filter.source)}`);
  if (filter.from && filter.to) parts.push(`signed from ${whenText(filter.from)} to ${whenText(filter.to)} UTC`);
  else if (filter.from) parts.push(`signed from ${whenText(filter.from)} UTC`);
  else if (filter.to) parts.push(`signed before ${whenText(filter.to)} UTC`);
  return parts.join(', ');
}
