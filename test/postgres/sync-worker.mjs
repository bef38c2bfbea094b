// The worker behind test/postgres/syncDb.ts: runs one query at a time on its own connection and
// hands back the result while the test's thread waits on a shared flag (Atomics.wait). Plain
// JavaScript because a worker thread is not transformed by vitest.
import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';

pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => Number(value));

const flag = new Int32Array(workerData.flag);
let client;
let connectedTo;

parentPort.on('message', async ({ port, url, text, values, rowMode }) => {
  let reply;
  try {
    if (connectedTo !== url) {
      await client?.end().catch(() => {});
      client = new pg.Client({ connectionString: url, options: '-c TimeZone=UTC' });
      client.on('error', () => {});
      await client.connect();
      connectedTo = url;
    }
    const result = await client.query({ text, values, rowMode });
    // SQLite has no booleans: `x IS NULL` reads 0 or 1 there, and the tests expect the same here.
    const flat = (value) => (value === true ? 1 : value === false ? 0 : value);
    const rows = result.rows.map((row) =>
      Array.isArray(row) ? row.map(flat) : Object.fromEntries(Object.entries(row).map(([k, v]) => [k, flat(v)])),
    );
    reply = { rows, rowCount: result.rowCount ?? 0 };
  } catch (error) {
    if (connectedTo === url && !client) connectedTo = undefined;
    reply = { error: { message: error.message, code: error.code } };
  }
  port.postMessage(reply);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
