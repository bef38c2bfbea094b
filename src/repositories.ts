import type { Db } from './db.js';
import type { CampaignRepository } from './campaigns/repository.js';
import { createCampaignRepository } from './campaigns/sqlite.js';
import type { DeliveryRepository } from './deliveries/repository.js';
import { createDeliveryRepository } from './deliveries/sqlite.js';
import type { ModerationRepository } from './moderation/repository.js';
import { createModerationRepository } from './moderation/sqlite.js';
import type { OutboxRepository } from './mail/repository.js';
import { createOutboxRepository } from './mail/sqlite.js';
import type { LoginAttemptRepository, OrganizerRepository } from './organizers/repository.js';
import { createLoginAttemptRepository, createOrganizerRepository } from './organizers/sqlite.js';
import type { PrivacyRepository } from './privacy/repository.js';
import { createPrivacyRepository } from './privacy/sqlite.js';
import type { SignatureRepository } from './signatures/repository.js';
import { createSignatureRepository, type SignatureStoreOptions } from './signatures/sqlite.js';
import type { SystemRepository } from './system/repository.js';
import { createSystemRepository } from './system/sqlite.js';

export type { SystemRepository };

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
  /** Search, invalidation and signals against fake signatures. */
  moderation: ModerationRepository;
}

/** Every repository over one database: the only place in the app with SQL. */
export function createRepositories(db: Db, options: SignatureStoreOptions = {}): Repositories {
  return {
    campaigns: createCampaignRepository(db),
    signatures: createSignatureRepository(db, options),
    organizers: createOrganizerRepository(db),
    loginAttempts: createLoginAttemptRepository(db),
    privacy: createPrivacyRepository(db),
    system: createSystemRepository(db, options),
    outbox: createOutboxRepository(db),
    deliveries: createDeliveryRepository(db),
    moderation: createModerationRepository(db),
  };
}
