import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/db.js';
import { validForm } from '../helpers.js';
import { buildAppOver } from './app.js';
import { tempDatabase } from './server-process.js';

const SIGN = '/campaigns/amazon-ring/signatures';
const opened: Db[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) if (db.open) db.close();
});
const open = (path: string, options?: { readonly?: boolean }) => {
  const db = openDatabase(path, options);
  opened.push(db);
  return db;
};

describe('Durable commits', () => {
  it('a database file → write-ahead log with synchronous=FULL: each commit is on the disk before it returns', () => {
    const db = open(tempDatabase());
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    // 2 is FULL; NORMAL (1) left commits in the page cache, lost on power loss (issue 11).
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
  });

  it('POST a signature → the 303 is sent only once another connection can read the committed row', async () => {
    const path = tempDatabase();
    const { app } = await buildAppOver(open(path));
    const reader = open(path, { readonly: true });
    const find = reader.prepare('SELECT count(*) FROM signatures WHERE email = ?').pluck();
    for (let n = 0; n < 5; n++) {
      const email = `durable${n}@example.org`;
      await request(app).post(SIGN).type('form').send(validForm({ email })).expect(303);
      expect(find.get(email)).toBe(1);
    }
  });
});
