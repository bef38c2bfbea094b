import Database from 'better-sqlite3';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fromRoot } from './paths.js';

export type Db = Database.Database;

export const MIGRATIONS_DIR = fromRoot('migrations', 'sqlite');

/**
 * Opens (creating if needed) the SQLite database and applies pending migrations.
 * `:memory:` gives a private database, which is what each test uses.
 */
export function openDatabase(path: string, options: { migrationsDir?: string; readonly?: boolean } = {}): Db {
  if (path !== ':memory:' && !options.readonly) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { readonly: options.readonly ?? false });
  // WAL lets page views read while a signature is written; NORMAL sync is durable across a crash
  // of the process (the WAL is on disk) and loses at most the last commits on power loss.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // Wait for another process's write rather than failing at once (several Node processes may
  // share the file); past this the request gets a "please try again" page.
  db.pragma('busy_timeout = 5000');
  // Checkpoint well before the WAL grows large under constant reads.
  db.pragma('wal_autocheckpoint = 1000');
  db.pragma('journal_size_limit = 67108864');
  if (!options.readonly) migrate(db, options.migrationsDir ?? MIGRATIONS_DIR);
  return db;
}

export interface AppliedMigration {
  id: number;
  name: string;
}

/** Applies each numbered `NNN_name.sql` not yet recorded, in order, each in its own transaction. */
export function migrate(db: Db, dir: string = MIGRATIONS_DIR): AppliedMigration[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  ) STRICT`);
  const applied = new Set(
    db
      .prepare('SELECT id FROM schema_migrations')
      .pluck()
      .all()
      .map((id) => Number(id)),
  );
  const files = readdirSync(dir)
    .filter((file) => /^\d{3}_[a-z0-9_]+\.sql$/.test(file))
    .sort();
  const done: AppliedMigration[] = [];
  for (const file of files) {
    const id = Number(file.slice(0, 3));
    if (applied.has(id)) continue;
    const sql = readFileSync(join(dir, file), 'utf8');
    // IMMEDIATE takes the write lock first, so two processes starting together cannot both apply it.
    db.transaction(() => {
      const again = db.prepare('SELECT 1 FROM schema_migrations WHERE id = ?').get(id);
      if (again) return;
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)').run(
        id,
        file,
        new Date().toISOString(),
      );
      done.push({ id, name: file });
    }).immediate();
  }
  return done;
}
