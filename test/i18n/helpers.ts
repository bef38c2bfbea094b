import { CATALOGS, lookup, messages, type Message } from '../../src/i18n/index.js';
import type { CampaignCatalog } from '../../src/campaigns/content.js';

const forms = (m: Message): string[] => (typeof m === 'string' ? [m] : Object.values(m).filter(Boolean));

/**
 * The pieces of English that must never appear on a Spanish page: every English catalog message whose
 * Spanish differs, cut at its {places} (and **bold** marks), keeping pieces long enough to mean
 * something (a few words), plus the English words of every campaign that has a Spanish copy.
 */
export function englishPieces(campaigns?: CampaignCatalog): string[] {
  const pieces = new Set<string>();
  const add = (text: string) => {
    for (const piece of text.replace(/\*\*/g, '').split(/%?\{\w+\}/)) {
      const trimmed = piece
        .trim()
        .replace(/^[,.:;!?·]+|[,.:;·]+$/g, '')
        .trim();
      if (trimmed.split(/\s+/).length >= 3 || trimmed.length >= 16) pieces.add(trimmed);
    }
  };
  for (const [key, english] of messages(CATALOGS.en)) {
    const spanish = lookup(CATALOGS.es, key);
    if (spanish === undefined) continue;
    const spanishForms = new Set(forms(spanish));
    for (const form of forms(english)) if (!spanishForms.has(form)) add(form);
  }
  for (const campaign of campaigns?.all ?? []) {
    if (!campaign.inLanguage.has('es')) continue;
    for (const text of [campaign.title, campaign.summary, campaign.formHeading, campaign.consent.text]) add(text);
  }
  return [...pieces];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#34': '"', '#39': "'", nbsp: ' ' };
/** The page's text and attribute values as a reader (or a screen reader) gets them. */
export const decoded = (html: string): string =>
  html.replace(/&(#?\w+);/g, (whole, name: string) => ENTITIES[name] ?? whole).replace(/\s+/g, ' ');

/** The English pieces found in a page, for an assertion that lists them. */
export function englishIn(html: string, pieces: string[]): string[] {
  // Words marked as English (a campaign with no Spanish copy, named as it is) are meant to be.
  const text = decoded(html.replace(/<(\w+)[^>]*\slang="en"[^>]*>[\s\S]*?<\/\1>/g, ''));
  return pieces.filter((piece) => text.includes(piece));
}
