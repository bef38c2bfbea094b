import type { Campaign } from '../src/campaigns/content.js';
import type { Running } from './servers.js';
import type { Measured } from './wrk.js';

/**
 * What a scenario gets from bench/run.ts: the running app (started and stopped by run.ts), the run's
 * settings, and somewhere to put its results. A scenario is a module exporting a `Scenario`, listed in
 * SCENARIOS in run.ts; `--only` picks scenarios by id.
 */
export interface Bench {
  app: Running;
  /** Which database phase this is: "fresh" (empty database) or "scale" (after loading --rows signatures). */
  phase: 'fresh' | 'scale';
  quick: boolean;
  /** Seconds per measured closed-loop run (8, or 3 with --quick). */
  seconds: number;
  connections: number;
  outDir: string;
  databasePath: string;
  /** Where the command-line tools find the database: DATABASE_PATH, or DATABASE_URL on PostgreSQL. */
  databaseEnv: Record<string, string>;
  /** App servers running (more than one: behind nginx, on PostgreSQL). */
  servers: number;
  campaign: Campaign;
  pagePath: string;
  cssPath: string;
  /** Headers every browser sends with a page or stylesheet request (the app answers with its gzipped copy). */
  browser: Record<string, string>;
  runId: string;
  log(line: string): void;
  record(row: Row): void;
  /** The campaign's count, from its public JSON. */
  count(): Promise<number>;
  /** The count once it has stopped moving (no request still in flight): the app's, or `server`'s campaign JSON. */
  settledCount(server?: Running): Promise<number>;
  /** Stops the app and starts it again on the same database (a fresh process); `app` is then the new one. */
  restart(): Promise<Running>;
  /** Starts the node:http and bare Express baselines serving these paths as the app answers them now. */
  baselines(paths: string[]): Promise<{ node: Running; express: Running; stop(): Promise<void> }>;
}

/** One line of the results table. */
export interface Row {
  phase: Bench['phase'];
  scenario: string;
  /** Who answered: "app", "node:http", "bare Express". */
  server: string;
  measured: Measured;
  /** This row's req/s over another's, and whose: e.g. { over: 'node:http', value: 0.74 }. */
  ratio?: { over: string; value: number };
  target?: { text: string; met: boolean };
  note?: string;
}

export interface Scenario {
  id: string;
  /** Runs in the fresh phase, the scale phase, or both. */
  phases: Bench['phase'][];
  run(bench: Bench): Promise<void>;
}
