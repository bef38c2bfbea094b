/**
 * One signer as a delivery package lists them. A tuple (SQLite's raw mode) because a large package
 * reads a million of them. Never an email, street, postal code or address code: a package shows a
 * name and a country, and the comment only when the organizer asks for comments.
 */
export type DeliveryRow = readonly [
  lastName: string,
  firstName: string,
  country: string,
  comment: string | null,
  id: number,
];

/** Which signatures a package lists: one campaign, one country or all (null), up to a signature id. */
export interface DeliveryScope {
  campaignSlug: string;
  country: string | null;
  upToId: number;
}

export interface CountryNames {
  country: string;
  count: number;
}

export interface NewPackage {
  campaignSlug: string;
  country: string | null;
  withComments: boolean;
  upToId: number;
  signerCount: number;
  digest: string;
  builtBy: string;
  builtAt: string;
}

export interface DeliveryPackage extends NewPackage {
  id: number;
  deliveredBy: string | null;
  deliveredAt: string | null;
}

export interface DeliveryRepository {
  /** The newest signature's id (0 when there is none): a package built now lists signatures up to it. */
  lastSignatureId(): Promise<number>;
  /** How many deliverable signatures each country has in the scope (every country when scope.country is null). */
  countsByCountry(scope: DeliveryScope): Promise<CountryNames[]>;
  /**
   * Every deliverable signature in the scope, in batches of up to a thousand in the order they were
   * signed (the package sorts them), so a million never sit in memory. Deliverable means confirmed
   * and still holding its name (not anonymised).
   */
  signerBatches(scope: DeliveryScope, options: { withComments: boolean }): AsyncIterable<DeliveryRow[]>;
  addPackage(pkg: NewPackage): Promise<number>;
  findPackage(campaignSlug: string, id: number): Promise<DeliveryPackage | undefined>;
  /** Newest first. */
  packages(campaignSlug: string): Promise<DeliveryPackage[]>;
  /** Delivered packages only, newest first: what the public record shows. */
  deliveredPackages(campaignSlug: string): Promise<DeliveryPackage[]>;
  /** Campaigns with at least one delivered package. */
  campaignsWithDeliveries(): Promise<string[]>;
  /** False when the package does not exist or was already delivered (the first record stands). */
  markDelivered(campaignSlug: string, id: number, by: string, at: string): Promise<boolean>;
}
