import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { marked } from 'marked';
import YAML from 'yaml';
import { z } from 'zod';

/**
 * Campaigns are Markdown files with YAML front matter, edited by organizers without touching code.
 * They are read and validated once at start-up; a broken file stops start-up naming file and field.
 */
const frontMatterSchema = z
  .object({
    slug: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,79}$/, 'must be lower-case letters, digits and hyphens, as in the page address'),
    title: z.string().trim().min(1).max(200),
    summary: z.string().trim().min(1).max(300),
    target: z.string().trim().min(1).max(100),
    goal: z.number().int().positive(),
    status: z.enum(['open', 'closed']).default('open'),
    closed_on: z.iso.date().optional(),
    default: z.boolean().default(false),
    form_heading: z.string().trim().min(1).max(200),
    share_text: z.string().trim().min(1).max(280),
    letter: z.string().trim().min(1),
    organizer: z.object({
      name: z.string().trim().min(1),
      email: z.email(),
      url: z.url().optional(),
    }),
    retention_months: z.number().int().min(1).max(120).default(6),
    show_recent_signers: z.boolean().default(false),
    consent: z.object({
      version: z.string().trim().min(1).max(40),
      text: z.string().trim().min(1).max(300),
    }),
  })
  .strict()
  .refine((c) => c.status === 'open' || c.closed_on !== undefined, {
    path: ['closed_on'],
    message: 'is required when status is closed (retention is counted from it)',
  });

export interface Campaign {
  slug: string;
  title: string;
  summary: string;
  target: string;
  goal: number;
  open: boolean;
  closedOn: string | undefined;
  isDefault: boolean;
  formHeading: string;
  shareText: string;
  /** Trusted HTML rendered from the organizers' Markdown. */
  bodyHtml: string;
  letterHtml: string;
  organizer: { name: string; email: string; url: string | undefined };
  retentionMonths: number;
  showRecentSigners: boolean;
  consent: { version: string; text: string };
  file: string;
}

export class CampaignContentError extends Error {}

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/;

export function parseCampaign(file: string, source: string): Campaign {
  const name = basename(file);
  const match = FRONT_MATTER.exec(source);
  if (!match) throw new CampaignContentError(`${name}: must start with a front matter block between --- lines`);
  let data: unknown;
  try {
    data = YAML.parse(match[1] ?? '');
  } catch (error) {
    throw new CampaignContentError(`${name}: front matter is not valid YAML: ${(error as Error).message}`);
  }
  const parsed = frontMatterSchema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${name}: ${i.path.join('.') || '(front matter)'}: ${i.message}`);
    throw new CampaignContentError(issues.join('\n'));
  }
  const fm = parsed.data;
  const body = (match[2] ?? '').trim();
  if (!body) throw new CampaignContentError(`${name}: the campaign text after the front matter is empty`);
  return {
    slug: fm.slug,
    title: fm.title,
    summary: fm.summary,
    target: fm.target,
    goal: fm.goal,
    open: fm.status === 'open',
    closedOn: fm.closed_on,
    isDefault: fm.default,
    formHeading: fm.form_heading,
    shareText: fm.share_text,
    bodyHtml: marked.parse(body, { async: false }),
    letterHtml: marked.parse(fm.letter, { async: false }),
    organizer: { name: fm.organizer.name, email: fm.organizer.email, url: fm.organizer.url },
    retentionMonths: fm.retention_months,
    showRecentSigners: fm.show_recent_signers,
    consent: fm.consent,
    file,
  };
}

export interface CampaignCatalog {
  all: Campaign[];
  defaultCampaign: Campaign;
  bySlug(slug: string): Campaign | undefined;
}

/** Reads every `*.md` in the folder. One may say `default: true`; otherwise the first by file name is the home page. */
export function loadCampaigns(dir: string): CampaignCatalog {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith('.md') && !f.startsWith('.') && f.toLowerCase() !== 'readme.md')
      .sort();
  } catch (error) {
    throw new CampaignContentError(`campaigns folder ${dir} cannot be read: ${(error as Error).message}`);
  }
  const all = files.map((f) => parseCampaign(join(dir, f), readFileSync(join(dir, f), 'utf8')));
  return catalogOf(all, dir);
}

export function catalogOf(all: Campaign[], where = 'campaigns'): CampaignCatalog {
  if (all.length === 0) throw new CampaignContentError(`no campaign files (*.md) found in ${where}`);
  const seen = new Map<string, Campaign>();
  for (const c of all) {
    const other = seen.get(c.slug);
    if (other)
      throw new CampaignContentError(`${basename(c.file)}: slug: "${c.slug}" is also used by ${basename(other.file)}`);
    seen.set(c.slug, c);
  }
  const defaults = all.filter((c) => c.isDefault);
  if (defaults.length > 1) {
    throw new CampaignContentError(
      `${defaults.map((c) => basename(c.file)).join(', ')}: default: only one campaign may be the default`,
    );
  }
  const defaultCampaign = defaults[0] ?? (all[0] as Campaign);
  return { all, defaultCampaign, bySlug: (slug) => seen.get(slug) };
}
