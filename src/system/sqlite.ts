import { randomBytes } from 'node:crypto';
import type { Db } from '../db.js';
import type { SystemRepository } from './repository.js';

export function createSystemRepository(db: Db): SystemRepository {
  const ping = db.prepare('SELECT 1');
  const read = db.prepare<[string], string>('SELECT value FROM app_secrets WHERE name = ?').pluck();
  const write = db.prepare('INSERT INTO app_secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING');
  return {
    async ping() {
      try {
        return ping.get() !== undefined;
      } catch {
        return false;
      }
    },
    async secret(name) {
      // Insert-if-absent then read back: when two processes start together both get the winner's value.
      write.run(name, randomBytes(32).toString('base64url'));
      const value = read.get(name);
      if (value === undefined) throw new Error(`secret ${name} could not be stored`);
      return value;
    },
  };
}
