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

  it('names the file and the field when a field is wrong', () => {
    expect(() => parseCampaign('broken.md', valid(FRONT.replace('goal: 100', 'goal: lots')))).toThrow(
      /broken\.md: goal: /,
    );
    expect(() => parseCampaign('broken.md', valid(FRONT.replace('slug: test-campaign', 'slug: Not A Slug')))).toThrow(
      /broken\.md: slug: must be lower-case/,
    );
    expect(() => parseCampaign('broken.md', valid(FRONT.replace('  email: org@example.org', '  email: nope')))).toThrow(
      /broken\.md: organizer\.email: /,
    );
  });

  it('refuses an unknown field, so a typo does not silently do nothing', () => {
    expect(() => parseCampaign('typo.md', valid(`${FRONT}\nstatuss: closed`))).toThrow(/typo\.md: .*statuss/);
  });

  it('requires closed_on for a closed campaign', () => {
    expect(() => parseCampaign('c.md', valid(`${FRONT}\nstatus: closed`))).toThrow(/c\.md: closed_on: is required/);
  });

  it('refuses a file with no front matter or no text', () => {
    expect(() => parseCampaign('a.md', 'Just text')).toThrow(CampaignContentError);
    expect(() => parseCampaign('b.md', valid(FRONT, ''))).toThrow(/b\.md: the campaign text/);
    expect(() => parseCampaign('y.md', valid('slug: [unclosed'))).toThrow(/y\.md: front matter is not valid YAML/);
  });

  it('refuses two files with one slug, and two defaults', () => {
    const dir = mkdtempSync(join(tmpdir(), 'campaigns-'));
    writeFileSync(join(dir, 'a.md'), valid(FRONT));
    writeFileSync(join(dir, 'b.md'), valid(FRONT));
    expect(() => loadCampaigns(dir)).toThrow(/b\.md: slug: "test-campaign" is also used by a\.md/);
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
