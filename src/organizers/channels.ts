import { formatNumber } from '../campaigns/view.js';
import type { Campaign } from '../campaigns/content.js';
import { embedPath } from '../embed/routes.js';
import { escapeHtml, isLocale, LANGUAGE_NAMES } from '../i18n/index.js';
import type { Repositories } from '../repositories.js';

export interface ChannelRow {
  name: string;
  countText: string;
  percent: string;
}

/** Rows largest first (then by name), each with its share of the total. */
function rowsOf(counts: Map<string, number>, total: number): ChannelRow[] {
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([name, count]) => ({
      name,
      countText: formatNumber(count),
      percent: total ? ((count / total) * 100).toFixed(1) : '0.0',
    }));
}

/** Signatures whose link named no source: typed in, bookmarked, or shared without one. */
export const NO_SOURCE = 'None (direct or unknown)';

/** The count page's "by language" and "by source" tables: confirmed signatures, from one grouped read. */
export async function channelsView(
  repos: Repositories,
  slug: string,
): Promise<{ languages: ChannelRow[]; sources: ChannelRow[] }> {
  const rows = await repos.signatures.countsByChannel(slug);
  const languages = new Map<string, number>();
  const sources = new Map<string, number>();
  let total = 0;
  for (const { locale, source, count } of rows) {
    const language = isLocale(locale) ? `${LANGUAGE_NAMES[locale]} (${locale})` : locale;
    languages.set(language, (languages.get(language) ?? 0) + count);
    const from = source ?? NO_SOURCE;
    sources.set(from, (sources.get(from) ?? 0) + count);
    total += count;
  }
  return { languages: rowsOf(languages, total), sources: rowsOf(sources, total) };
}

/** The copy-and-paste code that puts the campaign's embed on a partner's page, in each of its languages. */
export function embedSnippets(baseUrl: string, campaign: Campaign): { language: string; code: string }[] {
  return [...campaign.inLanguage.values()].map((copy) => ({
    language: LANGUAGE_NAMES[copy.locale],
    code:
      `<iframe src="${baseUrl}${embedPath(copy)}?source=PARTNER-NAME" title="${escapeHtml(copy.title)}"` +
      ` width="480" height="1000" loading="lazy"></iframe>\n` +
      `<script src="${baseUrl}/embed.js" async></script>`,
  }));
}
