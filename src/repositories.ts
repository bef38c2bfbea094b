import { randomBytes } from 'node:crypto';
import type { Db } from './db.js';
import { createCampaignRepository, type CampaignRepository } from './campaigns/repository.js';
import { createOrganizerRepository, type OrganizerRepository } from './organizers/repository.js';
import { createPrivacyRepository, type PrivacyRepository } from './privacy/repository.js';
import { createSignatureRepository, type SignatureRepository } from './signatures/repository.js';

export interface SystemRepository {
  /** True when the database answers a query. */
  ping(): Promise<boolean>;
  /** A named secret kept with the data, generated on first use. */
  secret(name: string): Promise<string>;
}

export interface Repositories {
  campaigns: CampaignRepository;
  signatures: SignatureRepository;
  organizers: OrganizerRepository;
  privacy: PrivacyRepository;
  system: SystemRepository;
}

function createSystemRepository(db: Db): SystemRepository {
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

/** Every repository over one database: the only place in the app with SQL. */
export function createRepositories(db: Db): Repositories {
  return {
    campaigns: createCampaignRepository(db),
    signatures: createSignatureRepository(db),
    organizers: createOrganizerRepository(db),
    privacy: createPrivacyRepository(db),
    system: createSystemRepository(db),
  };
}
