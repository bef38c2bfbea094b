/**
 * The part of better-sqlite3's interface the tests use to look at what was stored (prepare → get,
 * all, run, pluck, raw; exec), over a PostgreSQL database, so that each test's assertions on the
 * database run unchanged on both engines. Each call blocks until its query has run, on a connection
 * of its own in a worker thread: a test reads what the app committed, like a second client would.
 *
 * `?` and `@name` parameters become `$n`. Test code only: the app talks to PostgreSQL through the
 * repositories (src/<feature>/postgres.ts) and never through this.
 */
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';

interface Reply {
  rows: unknown[];
  rowCount: number;
  error?: { message: string; code?: string };
}

let worker: Worker | undefined;
let flag: Int32Array;

function run(url: string, text: string, values: unknown[], rowMode?: 'array'): Reply {
  if (!worker) {
    const shared = new SharedArrayBuffer(4);
    flag = new Int32Array(shared);
    worker = new Worker(new URL('./sync-worker.mjs', import.meta.url), { workerData: { flag: shared } });
    worker.unref();
  }
  const { port1, port2 } = new MessageChannel();
  Atomics.store(flag, 0, 0);
  worker.postMessage({ port: port2, url, text, values, rowMode }, [port2]);
  // 30 s: a query the app's open transaction blocks would otherwise hang the test forever.
  if (Atomics.wait(flag, 0, 0, 30_000) === 'timed-out') throw new Error(`query timed out: ${text}`);
  const message = receiveMessageOnPort(port1)?.message as Reply | undefined;
  port1.close();
  if (!message) throw new Error('no reply from the PostgreSQL worker');
  if (message.error) throw Object.assign(new Error(message.error.message), { code: message.error.code });
  return message;
}

/** SQLite-style placeholders (`?`, `@name`, `:name`, `$name`) to PostgreSQL's `$1…`, with the values in order. */
function translate(sql: string, args: unknown[]): { text: string; values: unknown[] } {
  // Already PostgreSQL's own `$1…` (a statement taken from a postgres.ts module): values as given.
  if (/\$\d/.test(sql)) return { text: sql, values: args.map(toPg) };
  const named = args.length === 1 && args[0] !== null && typeof args[0] === 'object' && !Buffer.isBuffer(args[0]);
  const values: unknown[] = [];
  const positions = new Map<string, number>();
  let next = 0;
  // Leave quoted strings alone ('...' may contain ? or @).
  const text = sql.replace(/'(?:[^']|'')*'|\?|[@:$]([a-zA-Z_][a-zA-Z0-9_]*)/g, (match, name: string | undefined) => {
    if (match.startsWith("'")) return match;
    if (match === '?') {
      values.push(toPg(args[next++]));
      return `$${values.length}`;
    }
    if (!named || name === undefined) return match;
    let at = positions.get(name);
    if (at === undefined) {
      values.push(toPg((args[0] as Record<string, unknown>)[name]));
      at = values.length;
      positions.set(name, at);
    }
    return `$${at}`;
  });
  // PostgreSQL folds unquoted names to lower case; SQLite keeps `AS optedIn` as written.
  return { text: text.replace(/\bAS\s+([a-z_]\w*[A-Z]\w*)/g, 'AS "$1"'), values };
}

const toPg = (value: unknown) => (typeof value === 'boolean' ? (value ? 1 : 0) : value);

class Statement {
  private plucked = false;
  private rawRows = false;
  constructor(
    private readonly url: string,
    private readonly sql: string,
  ) {}
  pluck(on = true) {
    this.plucked = on;
    return this;
  }
  raw(on = true) {
    this.rawRows = on;
    return this;
  }
  private query(args: unknown[]) {
    const { text, values } = translate(this.sql, args);
    return run(this.url, text, values, this.plucked || this.rawRows ? 'array' : undefined);
  }
  all(...args: unknown[]): unknown[] {
    const { rows } = this.query(args);
    return this.plucked ? rows.map((row) => (row as unknown[])[0]) : rows;
  }
  get(...args: unknown[]): unknown {
    return this.all(...args)[0];
  }
  run(...args: unknown[]): { changes: number } {
    return { changes: this.query(args).rowCount };
  }
}

export interface SyncPostgres {
  readonly engine: 'postgres';
  readonly url: string;
  prepare(sql: string): Statement;
  exec(sql: string): void;
  /** BEGIN … COMMIT around `work` on the worker's connection (ROLLBACK when it throws). */
  transaction<A extends unknown[], R>(work: (...args: A) => R): (...args: A) => R;
  /**
   * "The database goes away": ends the app's connection pool (set by the test app), so what the app
   * asks next fails as it would with the server gone.
   */
  close(): void;
}

export function syncPostgres(url: string, onClose: () => void = () => {}): SyncPostgres {
  return {
    engine: 'postgres',
    url,
    prepare: (sql) => new Statement(url, sql),
    exec: (sql) => void run(url, sql, []),
    transaction:
      (work) =>
      (...args) => {
        run(url, 'BEGIN', []);
        try {
          const result = work(...args);
          run(url, 'COMMIT', []);
          return result;
        } catch (error) {
          run(url, 'ROLLBACK', []);
          throw error;
        }
      },
    close: onClose,
  };
}
