import { dirname } from 'node:path';
import { CampaignContentError } from './campaigns/content.js';
import { ConfigError } from './config.js';
import { PostgresUnavailableError } from './postgres.js';

/** What a failure is about, so its sentence can name the setting to change. */
export interface ProblemContext {
  port?: number;
  host?: string;
  databasePath?: string;
}

type SystemError = Error & { code?: string; syscall?: string; path?: string };

/**
 * The plain sentence (or one per line, for several mistakes at once) that tells the person starting
 * the site or a tool what to fix, for every failure that is theirs to fix: bad configuration or
 * content, a port taken, a database that cannot be opened. Undefined for anything else, which is a
 * bug and keeps its stack.
 */
export function explainFailure(error: unknown, context: ProblemContext = {}): string | undefined {
  if (
    error instanceof ConfigError ||
    error instanceof CampaignContentError ||
    error instanceof PostgresUnavailableError
  )
    return error.message;
  if (!(error instanceof Error)) return undefined;
  const { code, syscall, path } = error as SystemError;
  if (syscall === 'listen') return listenProblem(code, context);
  const database = context.databasePath;
  if (database === undefined) return undefined;
  if (syscall === 'mkdir' && code)
    return `The folder for the database, ${dirname(database)}, cannot be created (${code} at ${path ?? dirname(database)}): set DATABASE_PATH to a file in a folder this user can write`;
  if (/^Cannot open database because the directory does not exist/.test(error.message))
    return `The folder for the database, ${dirname(database)}, does not exist: create it, or set DATABASE_PATH to a file in a folder that does`;
  // SQLite's extended codes (SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED…) refine a primary one.
  const primary = code?.match(/^SQLITE_[A-Z]+/)?.[0];
  switch (primary) {
    case 'SQLITE_CANTOPEN':
    case 'SQLITE_PERM':
    case 'SQLITE_AUTH':
      return `The database ${database} cannot be opened for writing: make sure this user may write the file and its folder, or set DATABASE_PATH to another file`;
    case 'SQLITE_READONLY':
      return `The database ${database} is read-only for this user: make the file and its folder writable by the user running the site, or set DATABASE_PATH to another file`;
    case 'SQLITE_NOTADB':
      return `${database} is not an SQLite database: set DATABASE_PATH to the site's database file, or to a new file name to start an empty one`;
    case 'SQLITE_CORRUPT':
      return `The database ${database} is damaged: restore it from a backup (see "Backups" in the README)`;
    case 'SQLITE_FULL':
      return `The disk holding the database ${database} is full: free some space, then start again`;
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return `The database ${database} is locked by another program: wait for it to finish, or stop it, then start again`;
    case 'SQLITE_IOERR':
      return `The database ${database} cannot be read or written (${code}): check the disk it is on`;
    default:
      return undefined;
  }
}

function listenProblem(code: string | undefined, { port, host }: ProblemContext): string | undefined {
  switch (code) {
    case 'EADDRINUSE':
      return `Port ${port} is already in use: stop the other program or set PORT to another port`;
    case 'EACCES':
      return `Port ${port} may only be opened by an administrator on this system: set PORT to a number above 1023, and let a proxy listen on ports 80 and 443`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return `HOST ${host} is not an address of this machine: set HOST to one of its addresses, 127.0.0.1 for this machine only or 0.0.0.0 for all`;
    default:
      return undefined;
  }
}
