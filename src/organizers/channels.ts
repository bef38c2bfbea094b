import { formatNumber } from '../campaigns/view.js';
import { isLocale, LANGUAGE_NAMES } from '../i18n/index.js';
import type { Repositories } from '../repositories.js';

export interface ChannelRow {
  name: string;
  countText: string;
  percent: string;
}

const share = (count: number, total: number) => (total ? ((count / total) * 100).toFixed(1) : '0.0');

/** The count page's "by language" table: confirmed signatures per language signed in. */
export async function channelsView(repos: Repositories, slug: string): Promise<{ languages: ChannelRow[] }> {
  const languages = await repos.signatures.countsByLanguage(slug);
  const total = languages.reduce((sum, row) => sum + row.count, 0);
  return {
    languages: languages.map((row) => ({
      name: isLocale(row.locale) ? `${LANGUAGE_NAMES[row.locale]} (${row.locale})` : row.locale,
      countText: formatNumber(row.count),
      percent: share(row.count, total),
    })),
  };
}
