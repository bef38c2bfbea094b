import { createHash, type Hash } from 'node:crypto';
import type { DeliveryRow } from './repository.js';

/*
 * The canonical list, which the digest is taken over and which targets can download and check:
 *
 *   one line per signer, in the package's order:  <last name>, <first name> TAB <country code> LF
 *   UTF-8, no byte order mark, names in Unicode NFC, the last line ending in LF too.
 *
 * So `sha256sum list.txt` (or `shasum -a 256`, or PowerShell's Get-FileHash) on the downloaded list
 * prints the digest the site published. The form is deliberately plain: a target can check it with
 * the tools already on their computer, and the list can be compared line by line with the printout.
 * Comments, when a package includes them, are not part of it: the digest vouches for who signed.
 */

// Names are already stored in NFC without control characters (src/signatures/form.ts); a tab or
// line break would still break the one-line-per-signer form, so they could never get through here.
const BREAKS = /[\t\n\r\u0085\u2028\u2029]/g;
const clean = (name: string): string => name.normalize('NFC').replace(BREAKS, ' ');

/** How a signer's name is shown in the package and in the canonical list: "Lovelace, Ada". */
export const displayName = (row: DeliveryRow): string => `${clean(row[0])}, ${clean(row[1])}`;

export const canonicalLine = (row: DeliveryRow): string => `${displayName(row)}\t${row[2]}\n`;

/** The digest of the list so far: fed each batch as the package is written, read once at the end. */
export interface ListDigest {
  add(rows: readonly DeliveryRow[]): string;
  readonly count: number;
  hex(): string;
}

export function listDigest(): ListDigest {
  const hash: Hash = createHash('sha256');
  let count = 0;
  return {
    /** Adds the rows and returns their canonical lines (for the plain-text list). */
    add(rows) {
      let text = '';
      for (const row of rows) text += canonicalLine(row);
      hash.update(text, 'utf8');
      count += rows.length;
      return text;
    },
    get count() {
      return count;
    },
    hex() {
      return hash.digest('hex');
    },
  };
}
