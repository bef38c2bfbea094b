/**
 * What every command-line tool here shares: how it fails, and how it opens the database.
 * A usage mistake exits 2 with the usage text; a known failure (bad config, bad campaign file, a
 * database that cannot be opened, a refusal the tool explains) exits 1 with one sentence saying what
 * to fix; anything else is a bug and shows its stack.
 */
import { existsSync } from 'node:fs';
import { loadConfig, type Config } from '../src/config.js';
import { closeDatabase, describeDatabase, openConfiguredDatabase, type Database } from '../src/database.js';
import { explainFailure } from '../src/problems.js';
import { createRepositories, type Repositories } from '../src/repositories.js';

/** The command line itself is wrong: the usage text follows the message. */
export class UsageError extends Error {}
/** The command understood but refused or failed, for a reason its message gives. */
export class CliError extends Error {}

export async function runCli(main: (argv: string[]) => Promise<number | void>, usage: string): Promise<void> {
  try {
    process.exitCode = (await main(process.argv.slice(2))) ?? 0;
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`${(error as Error).message}\n\n${usage}`);
      process.exitCode = 2;
    } else if (error instanceof CliError) {
      console.error(error.message);
      process.exitCode = 1;
    } else {
      const problem = explainFailure(error, { databasePath: configuredDatabase() });
      if (problem === undefined) throw error;
      console.error(problem);
      process.exitCode = 1;
    }
  }
}

/** The database the tool was pointed at, to name in a message; undefined when the configuration is itself wrong. */
function configuredDatabase(): string | undefined {
  try {
    return loadConfig(process.env).databasePath;
  } catch {
    return undefined;
  }
}

/**
 * Opens the configured database (the SQLite file, or PostgreSQL when DATABASE_URL is set), hands its
 * repositories to `work`, and always closes it. With `mustExist`, a missing SQLite file is an error:
 * opening would create an empty one, and a mistyped path must not report "nothing held".
 */
export async function withRepositories<T>(
  config: Config,
  work: (repos: Repositories, database: Database) => Promise<T>,
  options: { mustExist?: boolean } = {},
): Promise<T> {
  if (
    options.mustExist &&
    !config.databaseUrl &&
    config.databasePath !== ':memory:' &&
    !existsSync(config.databasePath)
  ) {
    throw new CliError(`No database at ${config.databasePath}: set DATABASE_PATH to the site's database file.`);
  }
  let database: Database;
  try {
    database = await openConfiguredDatabase(config);
  } catch (error) {
    const problem = explainFailure(error, { databasePath: describeDatabase(config) });
    throw problem === undefined ? error : new CliError(problem);
  }
  try {
    return await work(createRepositories(database), database);
  } finally {
    await closeDatabase(database);
  }
}
