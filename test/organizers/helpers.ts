import request from 'supertest';
import type { NewSignature } from '../../src/signatures/repository.js';
import { hashPassword, type ScryptCost } from '../../src/organizers/passwords.js';
import type { OrganizerAccess } from '../../src/organizers/repository.js';
import { NOW, type TestApp } from '../helpers.js';

/** Tests store cheap hashes: the cost is read from the hash, and OWASP's takes half a second each. */
export const TEST_COST: ScryptCost = { N: 2 ** 10, r: 8, p: 1 };
export const ORGANIZER = { email: 'ann@example.org', password: 'correct horse battery' };

/** An admin unless `access` says otherwise: most tests are about a page, not about who may see it. */
export async function addOrganizer(
  t: TestApp,
  email = ORGANIZER.email,
  password = ORGANIZER.password,
  access: Partial<OrganizerAccess> = { isAdmin: true },
): Promise<void> {
  await t.repos.organizers.add(email, await hashPassword(password, TEST_COST), NOW, access);
}

/** The login form's CSRF token (and, in the agent's jar, its cookie). */
export async function loginToken(agent: request.Agent): Promise<string> {
  const page = await agent.get('/organizers/login').expect(200);
  const token = /name="csrf" value="([^"]+)"/.exec(page.text)?.[1];
  if (!token) throw new Error('no csrf token on the login page');
  return token;
}

export function login(agent: request.Agent, token: string, email = ORGANIZER.email, password = ORGANIZER.password) {
  return agent.post('/organizers/login').type('form').send({ csrf: token, email, password });
}

/** An agent (cookie jar) holding a signed-in organizer session. */
export async function signedIn(
  t: TestApp,
  email = ORGANIZER.email,
  access: Partial<OrganizerAccess> = { isAdmin: true },
): Promise<request.Agent> {
  await addOrganizer(t, email, ORGANIZER.password, access);
  const agent = request.agent(t.app);
  await login(agent, await loginToken(agent), email)
    .expect(303)
    .expect('Location', '/organizers');
  return agent;
}

/** The session's token, as the organizer bar's sign-out form carries it. */
export async function sessionToken(agent: request.Agent): Promise<string> {
  const page = await agent.get('/organizers').expect(200);
  const token = /name="csrf" value="([^"]+)"/.exec(page.text)?.[1];
  if (!token) throw new Error('no csrf token on the overview page');
  return token;
}

let counter = 0;
export function signature(overrides: Partial<NewSignature> = {}): NewSignature {
  counter += 1;
  return {
    campaignSlug: 'amazon-ring',
    firstName: 'Ada',
    lastName: 'Lovelace',
    email: `person${counter}@example.org`,
    country: 'US',
    postalCode: '12345',
    comment: null,
    optedIn: false,
    consentVersion: 'v1',
    sourceHash: null,
    createdAt: new Date(NOW),
    ...overrides,
  };
}
