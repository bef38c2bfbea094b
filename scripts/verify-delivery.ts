/**
 * Checks a delivered list of names against the digest the site published for it.
 *   npm run --silent verify-delivery -- amazon-ring-package-3.txt
 *   npm run --silent verify-delivery -- amazon-ring-package-3.txt 5f0c…e1 (the digest from the public record)
 * Prints the file's SHA-256 and its number of names, says whether the file is in the canonical form
 * (README, "Delivering the letter"), and with a digest given exits 0 when they match and 1 when not.
 * Needs no database: it is what `sha256sum` does, with an explanation when they differ.
 */
import { readFile } from 'node:fs/promises';
import { checkList } from '../src/deliveries/verify.js';
import { CliError, runCli, UsageError } from './cli.js';

const USAGE = 'Usage: npm run --silent verify-delivery -- <list.txt> [<published SHA-256 digest>]';

async function main(argv: string[]): Promise<number> {
  const [file, expected, ...rest] = argv;
  if (!file || rest.length > 0) throw new UsageError('Give the list file, and optionally the published digest.');
  if (expected !== undefined && !/^[0-9a-fA-F]{64}$/.test(expected)) {
    throw new UsageError('A SHA-256 digest is 64 hexadecimal characters.');
  }
  const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
    throw new CliError(`Cannot read ${file}: ${error.code ?? error.message}`);
  });
  const check = checkList(bytes);
  console.log(`SHA-256: ${check.digest}`);
  console.log(`Names:   ${check.count}`);
  for (const problem of check.problems) console.log(`Note:    ${problem}`);
  if (expected === undefined) return 0;
  if (expected.toLowerCase() === check.digest) {
    console.log('The list matches the published digest: no name was added, removed or changed.');
    return 0;
  }
  console.log('The list does NOT match the published digest.');
  return 1;
}

await runCli(main, USAGE);
