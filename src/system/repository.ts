export interface SystemRepository {
  /** True when the database answers a query. */
  ping(): Promise<boolean>;
  /** A named secret kept with the data, generated on first use. */
  secret(name: string): Promise<string>;
}
