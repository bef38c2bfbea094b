/**
 * Where a signature came from: `?source=` on a campaign or embed address, carried through the form.
 * A simple token only (letters, digits, '_' and '-', up to 40, starting with a letter or digit),
 * lower-cased; anything else is ignored rather than refused, since it came from a link, not from the
 * person signing. Codes name channels ("whatsapp", a partner's name), never people.
 */
const SOURCE = /^[a-z0-9][a-z0-9_-]{0,39}$/i;

export function parseSource(value: unknown): string | undefined {
  return typeof value === 'string' && SOURCE.test(value) ? value.toLowerCase() : undefined;
}

/** The source of a query string ("source=whatsapp&x=1"), read without building a URL object. */
export function sourceOfQuery(query: string): string | undefined {
  if (!query.includes('source=')) return undefined;
  // Two sources are none, as Express reads them (an array, not a string).
  const all = new URLSearchParams(query).getAll('source');
  return all.length === 1 ? parseSource(all[0]) : undefined;
}
