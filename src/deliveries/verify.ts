import { createHash } from 'node:crypto';

export interface ListCheck {
  /** SHA-256 of the file's bytes exactly as they are: what the published digest is compared with. */
  digest: string;
  /** Signers in the file (its lines). */
  count: number;
  /**
   * Why the file is not in the canonical form (canonical.ts), if it is not: the usual reasons a list
   * that was once right no longer matches (an editor saved it with Windows line ends, or a BOM).
   */
  problems: string[];
}

const LINE = /^[^\t\n]+, [^\t\n]+\t[A-Z]{2}$/u;
const SHOWN = 5;

/** Checks a delivered list (the bytes of list.txt) against the canonical form and works out its digest. */
export function checkList(bytes: Uint8Array): ListCheck {
  const digest = createHash('sha256').update(bytes).digest('hex');
  const problems: string[] = [];
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return { digest, count: 0, problems: ['The file is not UTF-8 text.'] };
  }
  if (text.startsWith('\uFEFF')) problems.push('The file starts with a byte order mark, which the list never has.');
  if (text.includes('\r')) problems.push('The file has Windows (CR LF) line ends; the list has LF only.');
  if (text.length > 0 && !text.endsWith('\n')) problems.push('The last line does not end with a line feed.');
  const lines = text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n/g, '\n')
    .split('\n');
  if (lines.at(-1) === '') lines.pop();
  const malformed: number[] = [];
  const notNfc: number[] = [];
  lines.forEach((line, i) => {
    if (!LINE.test(line)) malformed.push(i + 1);
    else if (line.normalize('NFC') !== line) notNfc.push(i + 1);
  });
  const where = (n: number[]) => n.slice(0, SHOWN).join(', ') + (n.length > SHOWN ? ', …' : '');
  if (malformed.length) {
    problems.push(`${malformed.length} line(s) are not "Last, First<TAB>CC" (line ${where(malformed)}).`);
  }
  if (notNfc.length) problems.push(`${notNfc.length} line(s) are not in Unicode NFC (line ${where(notNfc)}).`);
  return { digest, count: lines.length, problems };
}
