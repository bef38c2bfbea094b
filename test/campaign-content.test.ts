import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CampaignContentError, loadCampaigns, parseCampaign } from '../src/campaigns/content.js';
import { fromRoot } from '../src/paths.js';

const valid = (front: string, body = 'Some text.') => `---\n${front}\n---\n${body}\n`;
const FRONT = `slug: test-campaign
title: A test campaign
summary: A summary.
target: The council
goal: 100
form_heading: Sign the letter to the council
share_text: Please sign.
letter: Dear council.
organizer:
  name: Test org
  email: org@example.org
consent:
  version: v1
  text: Send me updates.`;

describe('campaign content files', () => {
  it('loads the real campaign with its demands and letter', () => {
    const catalog = loadCampaigns(fromRoot('campaigns'));
    const ring = catalog.defaultCampaign;
    expect(ring.slug).toBe('amazon-ring');
    expect(ring.title).toBe('Tell Amazon Ring: stop sharing information with police');
    expect(ring.goal).toBe(20000);
    expect(ring.open).toBe(true);
    expect(ring.bodyHtml).toContain('<li>Not deploying facial recognition in Ring.</li>');
    expect(ring.letterHtml).toContain('<ol>');
    expect(ring.retentionMonths).toBe(6);
    expect(ring.showRecentSigners).toBe(false);
  });

  it('applies defaults for status, retention and recent signers', () => {
    const c = parseCampaign('x.md', valid(FRONT));
    expect(c).toMatchObject({ open: true, retentionMonths: 6, showRecentSigners: false, isDefault: false });
  });

  const problemOf = (front: string, body?: string) => {
    try {
      parseCampaign('campaigns/broken.md', valid(front, body));
    } catch (error) {
      expect(error).toBeInstanceOf(CampaignContentError);
      return (error as Error).message;
    }
    throw new Error('expected the file to be refused');
  };
  const without = (field: string) =>
    FRONT.split('\n')
      .filter((l) => !l.startsWith(`${field}:`))
      .join('\n');

  it('a required field left out → "<file>: `title` is missing", for every required field', () => {
    for (const field of ['slug', 'title', 'summary', 'target', 'goal', 'form_heading', 'share_text', 'letter'])
      expect(problemOf(without(field))).toBe(`campaigns/broken.md: \`${field}\` is missing`);
    const noOrganizer = FRONT.replace(/organizer:\n( {2}.*\n)+/, '');
    expect(problemOf(noOrganizer)).toBe('campaigns/broken.md: `organizer` is missing');
    expect(problemOf(FRONT.replace('  email: org@example.org\n', ''))).toBe(
      'campaigns/broken.md: `organizer.email` is missing',
    );
    expect(problemOf(FRONT.replace('  version: v1\n', ''))).toBe('campaigns/broken.md: `consent.version` is missing');
  });

  it('a field of the wrong kind or form → one plain sentence naming it, never zod’s words', () => {
    const cases: [string, string][] = [
      [FRONT.replace('goal: 100', 'goal: lots'), '`goal` must be a number'],
      [FRONT.replace('goal: 100', 'goal: 2.5'), '`goal` must be a whole number'],
      [FRONT.replace('goal: 100', 'goal: 0'), '`goal` must be more than 0'],
      [FRONT.replace('title: A test campaign', 'title: ""'), '`title` is empty'],
      [
        FRONT.replace('title: A test campaign', `title: ${'x'.repeat(201)}`),
        '`title` must be at most 200 characters long',
      ],
      [
        FRONT.replace('slug: test-campaign', 'slug: Not A Slug'),
        '`slug` must be lower-case letters, digits and hyphens, as in the page address',
      ],
      [
        FRONT.replace('  email: org@example.org', '  email: nope'),
        '`organizer.email` must be an email address, such as campaigns@example.org',
      ],
      [`${FRONT}\nstatus: finished`, '`status` must be open or closed'],
      [
        `${FRONT}\nstatus: closed\nclosed_on: 1 March 2026`,
        '`closed_on` must be a date written YEAR-MONTH-DAY, such as 2026-03-31',
      ],
      [`${FRONT}\nshow_recent_signers: yes please`, '`show_recent_signers` must be true or false'],
      [`${FRONT}\nretention_months: 0`, '`retention_months` must be at least 1'],
      [
        FRONT.replace(/organizer:\n( {2}.*\n)+/, 'organizer: Test org\n'),
        '`organizer` must be a group of fields, each on its own indented line below it',
      ],
    ];
    for (const [front, message] of cases) {
      expect(problemOf(front)).toBe(`campaigns/broken.md: ${message}`);
    }
  });

  it('an organizer url that is not a web address → says so', () => {
    const front = FRONT.replace('  email: org@example.org', '  email: org@example.org\n  url: example.org');
    expect(problemOf(front)).toBe(
      'campaigns/broken.md: `organizer.url` must be a full web address, such as https://example.org',
    );
  });

  it('several mistakes → one line each', () => {
    expect(problemOf(without('title').replace('goal: 100', 'goal: lots')).split('\n')).toEqual([
      'campaigns/broken.md: `title` is missing',
      'campaigns/broken.md: `goal` must be a number',
    ]);
  });

  it('refuses an unknown field, so a typo does not silently do nothing', () => {
    expect(problemOf(`${FRONT}\nstatuss: closed`)).toBe(
      'campaigns/broken.md: `statuss` is not a campaign field: check its spelling',
    );
  });

  it('requires closed_on for a closed campaign', () => {
    expect(problemOf(`${FRONT}\nstatus: closed`)).toMatch(/^campaigns\/broken\.md: `closed_on` is missing: /);
  });

  it('refuses a file with no front matter or no text', () => {
    expect(() => parseCampaign('a.md', 'Just text')).toThrow(CampaignContentError);
    expect(() => parseCampaign('b.md', valid(FRONT, ''))).toThrow(/b\.md: the campaign text/);
    expect(() => parseCampaign('y.md', valid('slug: [unclosed'))).toThrow(
      /^y\.md: the front matter is not valid YAML: [^\n]*$/,
    );
  });

  it('refuses two files with one slug, and two defaults', () => {
    const dir = mkdtempSync(join(tmpdir(), 'campaigns-'));
    writeFileSync(join(dir, 'a.md'), valid(FRONT));
    writeFileSync(join(dir, 'b.md'), valid(FRONT));
    expect(() => loadCampaigns(dir)).toThrow(/b\.md: `slug` "test-campaign" is also used by .*a\.md/);
    writeFileSync(join(dir, 'a.md'), valid(`${FRONT}\ndefault: true`));
    writeFileSync(join(dir, 'b.md'), valid(`${FRONT.replace('test-campaign', 'other')}\ndefault: true`));
    expect(() => loadCampaigns(dir)).toThrow(/only one campaign may be the default/);
  });

  it('makes the first file the default when none says so', () => {
    const dir = mkdtempSync(join(tmpdir(), 'campaigns-'));
    writeFileSync(join(dir, 'b.md'), valid(FRONT));
    writeFileSync(join(dir, 'a.md'), valid(FRONT.replace('test-campaign', 'first')));
    expect(loadCampaigns(dir).defaultCampaign.slug).toBe('first');
  });
});
