/** A signed-in organizer for the count page and the export, once the organizer pages exist. */
export interface OrganizerSession {
  cookie: string;
  countPath: string;
  exportPath: string | undefined;
}

export async function organizerSession(baseUrl: string, _databasePath: string, _outDir: string): Promise<OrganizerSession | undefined> {
  const res = await fetch(`${baseUrl}/organizers/login`);
  await res.arrayBuffer();
  if (res.status === 404) return undefined;
  return undefined;
}
