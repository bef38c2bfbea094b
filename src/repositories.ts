import type { Database } from './database.js';
import type { Db } from './db.js';
import type { CampaignRepository } from './campaigns/repository.js';
import * as campaignsPg from './campaigns/postgres.js';
import * as campaignsSqlite from './campaigns/sqlite.js';
import type { DeliveryRepository } from './deliveries/repository.js';
import * as deliveriesPg from './deliveries/postgres.js';
import * as deliveriesSqlite from './deliveries/sqlite.js';
import type { ModerationRepository } from './moderation/repository.js';
import * as moderationPg from './moderation/postgres.js';
import * as moderationSqlite from './moderation/sqlite.js';
import type { OutboxRepository } from './mail/repository.js';
import * as mailPg from './mail/postgres.js';
import * as mailSqlite from './mail/sqlite.js';
import type { LoginAttemptRepository, OrganizerRepository } from './organizers/repository.js';
import * as organizersPg from './organizers/postgres.js';
import * as organizersSqlite from './organizers/sqlite.js';
import type { PrivacyRepository } from './privacy/repository.js';
import * as privacyPg from './privacy/postgres.js';
import * as privacySqlite from './privacy/sqlite.js';
import type { SignatureRepository } from './signatures/repository.js';
import * as signaturesPg from './signatures/postgres.js';
import * as signaturesSqlite from './signatures/sqlite.js';
import type { RateLimitRepository, SystemRepository } from './system/repository.js';
import * as systemPg from './system/postgres.js';
import * as systemSqlite from './system/sqlite.js';

export type { RateLimitRepository, SystemRepository };

export interface Repositories {
  campaigns: CampaignRepository;
  signatures: SignatureRepository;
  organizers: OrganizerRepository;
  loginAttempts: LoginAttemptRepository;
  privacy: PrivacyRepository;
  system: SystemRepository;
  /** Mail waiting to be sent, and addresses that refuse it. */
  outbox: OutboxRepository;
  deliveries: DeliveryRepository;
  /** Per-address request counts for the rate limits, shared by every server on the database. */
  rateLimits: RateLimitRepository;
  /** Search, invalidation and signals against fake signatures. */
  moderation: ModerationRepository;
}

export type SignatureStoreOptions = signaturesSqlite.SignatureStoreOptions;

/**
 * Every repository over one database, in the engine it runs on: the only place that picks an engine.
 * A bare SQLite handle is accepted too (tests and tools that open a file themselves).
 */
export function createRepositories(database: Database | Db, options: SignatureStoreOptions = {}): Repositories {
  const chosen: Database = 'engine' in database ? database : { engine: 'sqlite', db: database };
  if (chosen.engine === 'postgres') {
    const { pool } = chosen;
    return {
      campaigns: campaignsPg.createCampaignRepository(pool),
      signatures: signaturesPg.createSignatureRepository(pool),
      organizers: organizersPg.createOrganizerRepository(pool),
      loginAttempts: organizersPg.createLoginAttemptRepository(pool),
      privacy: privacyPg.createPrivacyRepository(pool),
      system: systemPg.createSystemRepository(pool),
      rateLimits: systemPg.createRateLimitRepository(pool),
      outbox: mailPg.createOutboxRepository(pool),
      deliveries: deliveriesPg.createDeliveryRepository(pool),
      moderation: moderationPg.createModerationRepository(pool),
    };
  }
  const { db } = chosen;
  return {
    campaigns: campaignsSqlite.createCampaignRepository(db),
    signatures: signaturesSqlite.createSignatureRepository(db, options),
    organizers: organizersSqlite.createOrganizerRepository(db),
    loginAttempts: organizersSqlite.createLoginAttemptRepository(db),
    privacy: privacySqlite.createPrivacyRepository(db),
    system: systemSqlite.createSystemRepository(db, options),
    rateLimits: systemSqlite.createRateLimitRepository(db),
    outbox: mailSqlite.createOutboxRepository(db),
    deliveries: deliveriesSqlite.createDeliveryRepository(db),
    moderation: moderationSqlite.createModerationRepository(db),
  };
}
