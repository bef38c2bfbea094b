import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CampaignContentError, loadCampaigns } from '../../src/campaigns/content.js';
import { fromRoot } from '../../src/paths.js';

const MAIN = `---
slug: test-campaign
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
  text: Send me updates.
---
Some text.
`;
const SPANISH = {
  title: 'Una campaña de prueba',
  summary: 'Un resumen.',
  form_heading: 'Firma la carta al concejo',
  share_text: 'Firma, por favor.',
  letter: 'Estimado concejo.',
};
const translation = (fields: Record<string, string> = SPANISH, consent = '  text: Quiero novedades.') =>
  `---\n${Object.entries(fields)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n')}\nconsent:\n${consent}\n---\nUn texto.\n`;

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'es-campaigns-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
const problemOf = (files: Record<string, string>): string => {
  try {
    loadCampaigns(folder(files));
  } catch (error) {
    if (error instanceof CampaignContentError)
      return error.message.replace(/^.*?(\w[\w-]*\.\w+\.md|\w[\w-]*\.md)/, '$1');
    throw error;
  }
  return 'loaded';
};

describe('campaign translations', () => {
  it('the real Amazon Ring campaign → a Spanish copy with its own words and every shared setting', () => {
    const ring = loadCampaigns(fromRoot('campaigns')).bySlug('amazon-ring', 'es');
    expect(ring?.locale).toBe('es');
    expect(ring?.title).toBe('Dile a Amazon Ring que deje de compartir información con la policía');
    expect(ring?.letterHtml).toContain('Quienes firmamos esta carta');
    expect(ring?.bodyHtml).toContain('reconocimiento facial');
    expect(ring).toMatchObject({ goal: 20000, target: 'Amazon Ring', open: true, confirmEmail: true });
    expect(ring?.consent).toEqual({
      version: '2026-11-28',
      text: 'Quiero recibir novedades de esta campaña por correo electrónico.',
    });
  });

  it('name.es.md beside name.md → the campaign in both languages; settings from the main file only', () => {
    const catalog = loadCampaigns(folder({ 'test.md': MAIN, 'test.es.md': translation() }));
    expect(catalog.all).toHaveLength(1);
    const es = catalog.bySlug('test-campaign', 'es');
    expect(es).toMatchObject({
      title: 'Una campaña de prueba',
      goal: 100,
      consent: { version: 'v1', text: 'Quiero novedades.' },
    });
    expect(catalog.bySlug('test-campaign')?.title).toBe('A test campaign');
  });

  it('no translation → no copy in that language', () => {
    expect(loadCampaigns(folder({ 'test.md': MAIN })).bySlug('test-campaign', 'es')).toBeUndefined();
  });

  it('a translation missing a copy field → refused, naming the file and the field', () => {
    for (const field of Object.keys(SPANISH)) {
      const { [field]: _left, ...rest } = SPANISH as Record<string, string>;
      expect(problemOf({ 'test.md': MAIN, 'test.es.md': translation(rest) })).toBe(
        `test.es.md: \`${field}\` is missing`,
      );
    }
    expect(problemOf({ 'test.md': MAIN, 'test.es.md': translation(SPANISH, '  other: x') }).split('\n')).toContain(
      'test.es.md: `consent.text` is missing',
    );
  });

  it('a translation that sets a shared setting → refused: settings live in the main file', () => {
    expect(problemOf({ 'test.md': MAIN, 'test.es.md': translation({ ...SPANISH, goal: '5' }) })).toBe(
      'test.es.md: `goal` is not a campaign field: check its spelling',
    );
  });

  it('a language the site does not have, or no main file → refused with what to do', () => {
    expect(problemOf({ 'test.md': MAIN, 'test.fr.md': translation() })).toMatch(
      /^test\.fr\.md: "fr" is not a language of this site/,
    );
    expect(problemOf({ 'test.md': MAIN, 'other.es.md': translation() })).toBe(
      'other.es.md: there is no other.md beside it: a translation is named after the file of the campaign it translates',
    );
  });
});
