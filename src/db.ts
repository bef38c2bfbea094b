import Database from 'better-sqlite3';
import { closeSync, fsync, mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { fromRoot } from './paths.js';

export type Db = Database.Database;

export const MIGRATIONS_DIR = fromRoot('migrations', 'sqlite');

/** How long a command-line tool, or a server starting up, waits for another process's write lock. */
const TOOL_BUSY_TIMEOUT_MS = 5000;

/**
 * How long a server's write (a batch of signatures, a sign-in) keeps retrying for the write lock before
 * the person is told "please try again". Writers in other processes hold the lock for milliseconds, but
 * on an overloaded machine with slow flushes two busy processes made a 2 s wait fail now and then; the
 * wait costs the other requests nothing (it is on timers), so it is as long as the old busy timeout.
 * A lock held longer than this is trouble (a stuck tool, a stalled disk): the signer hears so.
 */
export const WRITE_WAIT_MS = 5000;

/**
 * From here on this connection never sleeps on the main thread for another process's lock: better-
 * sqlite3's busy handler would hold the whole event loop (every page, every JSON view) for up to the
 * busy timeout. Writes then fail at once with SQLITE_BUSY and retryWhileBusy waits for them with
 * timers, so the loop keeps serving while they wait. The server calls this after its start-up writes.
 */
export function neverBlockOnLocks(db: Db): void {
  db.pragma('busy_timeout = 0');
}

/** SQLITE_BUSY (another connection holds the lock) or SQLITE_LOCKED, with any extended code. */
export function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs a synchronous write (a whole transaction), trying again while another connection holds the
 * write lock, for up to `waitMs`; then the SQLITE_BUSY error goes to the caller (a 503 "please try
 * again" for a person). The waits are timers, so other requests are served in between. The first
 * retries come quickly (a writer in another process holds the lock for a millisecond or two), later
 * ones every 20 ms.
 */
export async function retryWhileBusy<T>(write: () => T, waitMs: number = WRITE_WAIT_MS): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (let delay = 1; ; delay = Math.min(delay * 2, 20)) {
    try {
      return write();
    } catch (error) {
      if (!isBusy(error) || Date.now() + delay > deadline) throw error;
    }
    await sleep(delay);
  }
}

/** fsync(2) of a file descriptor, on libuv's thread pool: the main thread goes on serving meanwhile. */
export type SyncFile = (fd: number) => Promise<void>;
const fsyncOffThread: SyncFile = (fd) =>
  new Promise((resolve, reject) => fsync(fd, (error) => (error ? reject(error) : resolve())));

/**
 * Makes a server connection's commits durable without the main thread waiting for the disk.
 *
 * With synchronous=FULL SQLite calls fsync inside every COMMIT, on the main thread: under a crowd each
 * signature's flush (a millisecond or more here, far more on a busy disk) held every page view behind
 * it, and that, not rendering, was where the mixed load stopped (BENCHMARKS.md, sixth session). So a
 * server's connection commits with synchronous=NORMAL (the log is written, not yet flushed; SQLite still
 * flushes it before each checkpoint and the database file after, so nothing can be corrupted) and the
 * writes a person is told about wait, on timers, for an fsync of the write-ahead log on the thread pool
 * (commitDurably below) before they are acknowledged. A commit is on the disk before anyone is thanked
 * for it, as with FULL, and one flush covers every commit made before it began (group commit).
 *
 * What a reader sees may be ahead of the disk for that millisecond: a count can include a signature
 * whose flush is still under way. What is acknowledged is never ahead of it.
 */
class WalFlusher {
  private fd: number | undefined;
  /** Once a flush has failed the kernel may have dropped the unflushed pages: no later flush can promise anything. */
  private failed: Error | undefined;
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  constructor(
    private readonly walPath: string,
    private readonly sync: SyncFile = fsyncOffThread,
  ) {}

  /** Resolves once every commit made before the call is on the disk. */
  flush(): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (!this.running) return (this.running = this.run());
    // The flush under way may have begun before this commit was written: one more after it covers it,
    // shared by every commit that arrives while the first is running.
    const again = () => {
      this.queued = undefined;
      return this.flush();
    };
    return (this.queued ??= this.running.then(again, again));
  }

  private async run(): Promise<void> {
    try {
      if (this.fd === undefined) {
        // The log exists by now: a commit has just written to it. SQLite keeps the same file (it is
        // truncated, never replaced, while this connection is open), so one descriptor serves for good.
        this.fd = openSync(this.walPath, 'r');
        // Its directory entry too, once: a log flushed but not named in its folder is lost all the same.
        const dir = openSync(dirname(this.walPath), 'r');
        try {
          await this.sync(dir);
        } finally {
          closeSync(dir);
        }
      }
      await this.sync(this.fd);
    } catch (error) {
      // Named as SQLite names the same failure, so the signer gets a 503 "try again" (src/http/errors.ts):
      // the write was not acknowledged, and a retry finds it (a repeat) or stores it.
      this.failed = Object.assign(new Error(`the write-ahead log could not be flushed to the disk: ${String(error)}`), {
        code: 'SQLITE_IOERR_FSYNC',
        cause: error,
      });
      throw this.failed;
    } finally {
      this.running = undefined;
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

const flushers = new WeakMap<Db, WalFlusher>();

/** How often the checkpoint thread looks for log pages to copy into the database file. */
const CHECKPOINT_EVERY_MS = 10;
/** The log's length at which a connection checkpoints in its own commit (SQLite's default). */
const AUTOCHECKPOINT_PAGES = 1000;

/*
 * The checkpoint thread's code: its own connection to the same file, checkpointing PASSIVE (it never
 * waits for readers or writers, and never blocks them). Anything that stops one checkpoint (another
 * process's lock, a full disk, an I/O error) leaves every frame in the log, where readers find them;
 * the next turn tries again. FULL: the database file is flushed before the log may be reused.
 * CommonJS text rather than a module file, so that it runs the same from src/ under the tests and
 * from the build.
 */
const CHECKPOINT_THREAD = `
const { workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 0');
db.pragma('synchronous = FULL');
setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {}
}, workerData.everyMs);
`;

/**
 * SQLite checkpoints inside the commit that takes the log past wal_autocheckpoint pages: on the main
 * thread, copying up to a thousand pages into the database file, while every page view waits. On a
 * server this worker thread, with its own connection, copies them as they come instead, on the other
 * core. The connection's own checkpoint stays on: a checkpoint running beside a stream of commits
 * never ends at the log's last frame, so the log is never started again from the beginning and grows
 * without end (360 MB for 20,000 signatures, measured). The commit that crosses the mark now finds
 * nearly every page copied already: it copies the last few, flushes, and the next commit starts the
 * log again (about 10% less main-thread time per signature, BENCHMARKS.md, seventh session).
 *
 * Durability does not depend on it: what is acknowledged is in the flushed log (WalFlusher), and a
 * checkpoint only copies committed pages.
 */
class CheckpointThread {
  private readonly worker: Worker;

  constructor(db: Db) {
    this.worker = new Worker(CHECKPOINT_THREAD, {
      eval: true,
      workerData: {
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        path: db.name,
        everyMs: CHECKPOINT_EVERY_MS,
      },
    });
    this.worker.unref();
    // A thread that cannot open the file leaves the checkpoints to the connection, as without it.
    this.worker.on('error', () => {});
  }

  stop(): void {
    void this.worker.terminate();
  }
}

const checkpointers = new WeakMap<Db, CheckpointThread>();

/**
 * From here on this connection's commits are flushed off the main thread (WalFlusher), and
 * commitDurably waits for that; most of its checkpoints' copying is done off it too (CheckpointThread).
 * A server calls this after start-up; tools keep synchronous=FULL, as they run one write at a time
 * and nobody is waiting behind them. An in-memory database has no log.
 */
export function flushOffMainThread(db: Db, sync?: SyncFile): void {
  if (db.memory) return;
  db.pragma('synchronous = NORMAL');
  flushers.set(db, new WalFlusher(`${db.name}-wal`, sync));
  checkpointers.set(db, new CheckpointThread(db));
}

/** Closes the log's descriptor and stops the checkpoint thread of a connection being closed. */
export function stopFlushing(db: Db): void {
  flushers.get(db)?.close();
  flushers.delete(db);
  checkpointers.get(db)?.stop();
  checkpointers.delete(db);
}

/** How long erasing waits for a checkpoint under way or a reader before leaving the log to the next one. */
const FORGET_WAIT_MS = 200;

/**
 * Checkpoints and truncates the write-ahead log, so that the old versions of pages just changed (an
 * erased address, a withdrawn signature) leave the -wal file now rather than at some later checkpoint.
 * SQLite gives up at once while another connection is checkpointing (a server's checkpoint thread,
 * every 10 ms) or a reader still needs the log; this tries again on timers for a moment, then leaves it
 * to the next checkpoint.
 */
export async function forgetLogHistory(db: Db): Promise<void> {
  const deadline = Date.now() + FORGET_WAIT_MS;
  for (;;) {
    const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
    if (!result?.busy || Date.now() >= deadline) return;
    await sleep(5);
  }
}

/**
 * A write someone is told about (a signature thanked, a confirmation, a withdrawal, a sign-out): as
 * retryWhileBusy, and then, on a server's connection, the write-ahead log is on the disk before this
 * resolves. Writes nobody is told about (rate-limit hits, leases, the health probe) use retryWhileBusy
 * alone: losing the last moment of them to a power cut harms nobody.
 */
export async function commitDurably<T>(db: Db, write: () => T, waitMs: number = WRITE_WAIT_MS): Promise<T> {
  const result = await retryWhileBusy(write, waitMs);
  await flushers.get(db)?.flush();
  return result;
}

/**
 * Opens (creating if needed) the SQLite database and applies pending migrations.
 * `:memory:` gives a private database, which is what each test uses.
 */
export function openDatabase(path: string, options: { migrationsDir?: string; readonly?: boolean } = {}): Db {
  if (path !== ':memory:' && !options.readonly) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { readonly: options.readonly ?? false });
  // WAL lets page views read while a signature is written. FULL makes every commit wait until the
  // write-ahead log is on the disk (fsync), so a signer thanked is a signature that survives a power
  // loss or an operating-system crash; NORMAL lost every acknowledged signature of the last seconds
  // (issue 11). Group commit (signatures/sqlite.ts) makes it one flush per batch, not per signer. A
  // server then moves that flush off its main thread (flushOffMainThread above), durable all the same.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // Tools and start-up (migrations, the generated secret) wait for another process's write rather
  // than failing at once. A running server then stops waiting on the main thread: see neverBlockOnLocks.
  db.pragma(`busy_timeout = ${TOOL_BUSY_TIMEOUT_MS}`);
  // Checkpoint well before the WAL grows large under constant reads (on a server a thread of its own
  // copies most pages first: CheckpointThread).
  db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
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
