import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS_DIR } from '../src/db.js';

/**
 * A folder holding the migrations up to and including `last`, for tests that make rows the way an
 * older schema did and then apply the newer migrations to them.
 */
export function migrationsUpTo(last: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-migrations-'));
  for (const file of readdirSync(MIGRATIONS_DIR)) {
    if (/^\d{3}_/.test(file) && Number(file.slice(0, 3)) <= last) {
      copyFileSync(join(MIGRATIONS_DIR, file), join(dir, file));
    }
  }
  return dir;
}
