import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { createSigner } from '../src/http/signing.js';
import { silentLogger } from '../src/logger.js';
import { buildTestApp } from './helpers.js';

/** The test app with the campaign totals failing as a bug would: an ordinary Error, not a database fault. */
async function appWithBrokenTotals(env: Record<string, string>) {
  const t = await buildTestApp(env);
  const repos = {
    ...t.repos,
    campaigns: { ...t.repos.campaigns, totals: () => Promise.reject(new Error('kaboom at line 42')) },
  };
  return createApp({
    config: t.config,
    repos,
    campaigns: t.campaigns,
    clock: t.clock,
    logger: silentLogger,
    signer: createSigner('s'.repeat(32)),
  });
}

describe('unexpected errors', () => {
  it('render a 500 page in the site style with no internals in production', async () => {
    const app = await appWithBrokenTotals({ NODE_ENV: 'production' });
    const res = await request(app).get('/').expect(500);
    expect(res.text).toContain('Sorry, something went wrong');
    expect(res.text).toContain('/static/css/site.');
    expect(res.text).not.toContain('kaboom');
    expect(res.text).not.toMatch(/at .*\.ts:\d+/);
  });

  it('show the stack to a developer outside production', async () => {
    const app = await appWithBrokenTotals({ NODE_ENV: 'development' });
    const res = await request(app).get('/').expect(500);
    expect(res.text).toContain('kaboom at line 42');
  });
});
