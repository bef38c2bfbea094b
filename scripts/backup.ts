/**
 * A consistent copy of the live database, taken while the site keeps serving:
 *   npm run backup -- <file>
 * Reads DATABASE_PATH like the server. Uses SQLite's online backup API in a single step, so the copy
 * is one snapshot: every signature committed before it began, nothing half-written. In WAL mode a
 * reader never blocks the writer, so people keep signing meanwhile. The copy is written beside the
 * target under a temporary name, checked, then renamed, so <file> is either a whole good copy or
 * absent. An existing <file> is never overwritten.
 *
 * To restore: stop the site, copy the file over DATABASE_PATH, delete DATABASE_PATH-wal and
 * DATABASE_PATH-shm if they exist, start the site (see README, "Backups").
 */
import { existsSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db.js';
import { CliError, runCli, UsageError } from './cli.js';

const USAGE = 'Usage: npm run backup -- <file>   (writes a copy of DATABASE_PATH to <file>)';

interface BackupResult {
  file: string;
  bytes: number;
  pages: number;
}

/** Copies the database at `source` to `destination` (which must not exist) and checks the copy. */
async function backupDatabase(source: string, destination: string): Promise<BackupResult> {
  if (!existsSync(source))
    throw new CliError(`No database at ${source}: set DATABASE_PATH to the site's database file.`);
  const file = resolve(destination);
  if (existsSync(file)) throw new CliError(`${file} already exists: choose a new file name (nothing was written).`);
  if (!existsSync(dirname(file)))
    throw new CliError(
      `The folder ${dirname(file)} does not exist: create it, or choose another (nothing was written).`,
    );
  const partial = resolve(dirname(file), `.${basename(file)}.partial-${process.pid}`);

  // Read-only: a backup never migrates, creates or changes the live database.
  const db = openDatabase(realpathSync(source), { readonly: true });
  try {
    const result = await db.backup(partial, {
      // The first step copies 100 pages; then copy the rest in one step. Done in small steps, any
      // signature arriving in between would restart the copy from the beginning, which under a
      // steady stream of signatures might never finish.
      progress: () => 0x7fffffff,
    });
    const copy = openDatabase(partial, { readonly: true });
    try {
      const check = copy.pragma('integrity_check', { simple: true });
      if (check !== 'ok')
        throw new CliError(`The copy failed its integrity check (${String(check)}); nothing was kept.`);
    } finally {
      copy.close();
    }
    renameSync(partial, file);
    return { file, bytes: statSync(file).size, pages: result.totalPages };
  } finally {
    db.close();
    for (const leftover of [partial, `${partial}-wal`, `${partial}-shm`]) rmSync(leftover, { force: true });
  }
}

async function main(argv: string[]): Promise<number> {
  if (argv.length !== 1 || !argv[0] || argv[0].startsWith('-'))
    throw new UsageError('Give the file to write the copy to.');
  const config = loadConfig(process.env);
  // A PostgreSQL server has its own tools, which copy it consistently while it runs.
  if (config.databaseUrl)
    throw new CliError(
      'DATABASE_URL is set: this tool copies the SQLite file only. Back up PostgreSQL with pg_dump (README, "Backups": pg_dump --format=custom --file=undersigned.dump "$DATABASE_URL").',
    );
  const result = await backupDatabase(config.databasePath, argv[0]);
  console.log(
    `Backed up ${config.databasePath} to ${result.file} (${(result.bytes / 1_048_576).toFixed(1)} MB, integrity ok).`,
  );
  return 0;
}

await runCli(main, USAGE);
