import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD_DIR } from './servers.js';

/** A signed-in organizer for the count page and the export, once the organizer pages exist. */
export interface OrganizerSession {
  cookie: string;
  countPath: string;
  exportPath: string;
}

const EMAIL = 'bench-organizer@example.org';
const PASSWORD = 'benchmark organizer password';

const cookiesOf = (res: Response): string[] => res.headers.getSetCookie().map((c) => c.split(';')[0] as string);

/**
 * Creates the organizer account with the project's own CLI (as an operator would), then signs in
 * through the login form with its CSRF token, like a browser. Undefined when the organizer pages
 * are not in this build.
 */
export async function organizerSession(
  baseUrl: string,
  /** Where the CLI finds the database: DATABASE_PATH, or DATABASE_URL on PostgreSQL. */
  databaseEnv: Record<string, string>,
  campaignSlug: string,
): Promise<OrganizerSession | undefined> {
  const cli = join(BUILD_DIR, 'scripts', 'organizers.js');
  const login = await fetch(`${baseUrl}/organizers/login`, { redirect: 'manual' });
  const html = await login.text();
  if (login.status === 404 || !existsSync(cli)) return undefined;
  try {
    // An organizer of this campaign only, as most accounts are (an admin sees every campaign).
    execFileSync(process.execPath, [cli, 'add', EMAIL, '--campaign', campaignSlug], {
      input: `${PASSWORD}\n`,
      env: { ...process.env, NODE_ENV: 'production', ...databaseEnv, LOG_LEVEL: 'silent' },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
  } catch (error) {
    // Already there from the first phase of this run.
    if (!String((error as { stderr?: Buffer }).stderr ?? '').match(/already/i)) throw error;
  }
  const token = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error('no CSRF token on the organizer login page');
  const res = await fetch(`${baseUrl}/organizers/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookiesOf(login).join('; ') },
    body: new URLSearchParams({ csrf: token, email: EMAIL, password: PASSWORD }).toString(),
  });
  await res.arrayBuffer();
  const session = cookiesOf(res).find((c) => c.startsWith('session=') || c.startsWith('__Host-session='));
  if (res.status !== 303 || !session) throw new Error(`organizer sign-in failed with status ${res.status}`);
  const countPath = `/organizers/campaigns/${campaignSlug}`;
  const check = await fetch(baseUrl + countPath, { headers: { cookie: session }, redirect: 'manual' });
  await check.arrayBuffer();
  if (check.status !== 200) throw new Error(`organizer count page answered ${check.status} when signed in`);
  return { cookie: session, countPath, exportPath: `${countPath}/signatures.csv` };
}
