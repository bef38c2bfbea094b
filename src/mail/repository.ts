/** The kinds of message signing causes. */
export type SignerMailKind = 'confirm' | 'already-signed';
/** Every kind: the signer's, and the organizers' milestone message (migration 013). */
export type MailKind = SignerMailKind | 'milestone';

/** What a signer's message is rendered from at sending time; cleared from the outbox once sent. */
export interface SignerMailPayload {
  kind: SignerMailKind;
  /** The name stored with the signature, for the greeting. */
  firstName: string;
  /** The raw tokens of the links this message carries (only their hashes are in email_tokens). */
  tokens: { confirm?: string; withdraw?: string; unsubscribe?: string };
}

/** Queued by the trigger that marks a milestone crossed (migration 013), to each account holding the campaign. */
export interface MilestonePayload {
  kind: 'milestone';
  milestone: number;
}

export type MailPayload = SignerMailPayload | MilestonePayload;

/** One message claimed for sending. */
export interface OutboxMessage {
  id: number;
  kind: MailKind;
  campaignSlug: string;
  to: string;
  locale: string;
  payload: MailPayload;
  /** Tries so far, this one included. */
  attempts: number;
  createdAt: string;
}

export interface OutboxHealth {
  /** Messages not yet sent nor given up. */
  waiting: number;
  /** When the oldest of them was queued, or null. */
  oldestWaitingSince: string | null;
  lastFailure: { at: string; error: string } | null;
  /** Addresses that refused mail permanently. */
  suppressed: number;
}

export interface OutboxRepository {
  /**
   * Takes up to `limit` due messages for this worker until `leaseMs` from now. Another worker (another
   * process on the same database) gets none of them unless the lease runs out first, which is how a
   * message whose sender died is sent after all.
   */
  claim(options: { worker: string; now: Date; leaseMs: number; limit: number }): Promise<OutboxMessage[]>;
  /** Marks messages sent (their payload, with its raw tokens, is cleared). */
  markSent(worker: string, ids: number[], at: Date): Promise<void>;
  /** A temporary failure: try again at `retryAt`. */
  retryLater(worker: string, id: number, at: Date, retryAt: Date, error: string): Promise<void>;
  /**
   * Gives the message up. With `suppress`, its address refused mail permanently: it goes on the
   * suppression list and every other message waiting for it is given up too.
   */
  giveUp(worker: string, id: number, at: Date, error: string, options: { suppress: boolean }): Promise<void>;
  /** Returns this worker's claimed but unsent messages to the queue (graceful stop). */
  release(worker: string): Promise<void>;
  health(): Promise<OutboxHealth>;
  /** Deletes sent and given-up messages queued before `before`; returns how many. */
  deleteFinished(before: Date): Promise<number>;
}
