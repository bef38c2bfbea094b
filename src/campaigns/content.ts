import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { marked } from 'marked';
import YAML from 'yaml';
import { isCountryCode } from '../signatures/countries.js';
import { z, type core } from 'zod';
import { fromRoot } from '../paths.js';
import { DEFAULT_LOCALE, isLocale, LOCALES, type Locale } from '../i18n/index.js';

/**
 * Campaigns are Markdown files with YAML front matter, edited by organizers without touching code.
 * They are read and validated at start-up, where a broken file stops start-up naming file and field,
 * and again on SIGHUP (campaigns/reload.ts), where a broken file keeps the running version.
 */
const PUBLIC_DIR = fromRoot('public');
const IMAGE_FILE = /\.(png|jpe?g|webp|gif)$/i;

/**
 * A link preview image: an https address, or an image file under public/ ("img/ring.png"), which
 * must exist so a typo is caught here rather than by a broken preview on someone's timeline.
 */
const imageSchema = z
  .string()
  .trim()
  .superRefine((value, ctx) => {
    if (/^https:\/\//i.test(value)) {
      if (!z.url().safeParse(value).success) ctx.addIssue({ code: 'custom', message: 'must be a full https address' });
      return;
    }
    const file = resolve(PUBLIC_DIR, value.replace(/^\/+/, ''));
    // http: would be blocked as mixed content on an https page, and any other scheme is no image.
    const otherScheme = /^[a-z][a-z0-9+.-]*:/i.test(value);
    if (otherScheme || !file.startsWith(PUBLIC_DIR + sep) || !IMAGE_FILE.test(file)) {
      ctx.addIssue({
        code: 'custom',
        message:
          'must be an https address or an image file (.png, .jpg, .webp or .gif) under public/, such as img/ring.png',
      });
      return;
    }
    let found = false;
    try {
      found = statSync(file).isFile();
    } catch {
      // Missing: said below.
    }
    if (!found) ctx.addIssue({ code: 'custom', message: `names ${relative(fromRoot(), file)}, which does not exist` });
  });

/**
 * A web origin as a browser compares them: scheme, host and port only ("https://partner.example"),
 * written without a path, so what organizers type is exactly what frame-ancestors and postMessage see.
 */
const originSchema = z
  .string()
  .trim()
  .refine((value) => {
    try {
      const url = new URL(value);
      return /^https?:$/.test(url.protocol) && url.origin === value.replace(/\/$/, '');
    } catch {
      return false;
    }
  }, 'must be a site address with no path, such as https://partner.example')
  .transform((value) => new URL(value).origin);

const frontMatterSchema = z
  .object({
    slug: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,79}$/, 'lower-case letters, digits and hyphens, as in the page address'),
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
    // Signatures count only once the signer confirms by email (issue 12).
    confirm_email: z.boolean().default(false),
    default_country: z
      .string()
      .refine(isCountryCode, 'must be a two-letter ISO 3166-1 country code in capitals, such as GB or US')
      .optional(),
    consent: z.object({
      version: z.string().trim().min(1).max(40),
      text: z.string().trim().min(1).max(300),
    }),
    image: imageSchema.optional(),
    image_alt: z.string().trim().min(1).max(300).optional(),
    // Counts whose crossing is shown to the organizers and mailed to them once (issue 15).
    milestones: z
      .array(z.number().int().positive().max(1e12))
      .max(50)
      .refine((list) => list.every((n, i) => i === 0 || n > (list[i - 1] as number)), {
        message: 'must be whole numbers in increasing order, like [1000, 10000, 100000]',
      })
      .default([]),
    // Partner sites allowed to show the embed (/campaigns/<slug>/embed) in a frame.
    embed_origins: z.array(originSchema).max(50).default([]),
  })
  .strict()
  .refine((c) => c.status === 'open' || c.closed_on !== undefined, {
    path: ['closed_on'],
    message: 'is missing: a closed campaign needs the date it closed (retention is counted from it)',
  });

/**
 * The words of a campaign in another language: a file beside the campaign's own, named after it and
 * the language (`amazon-ring.es.md` for `amazon-ring.md`), holding only the copy. Every setting that
 * is not words (slug, goal, target, dates, organizer, consent version) is the main file's, so the
 * languages cannot disagree about them, and one count covers them all. Every copy field is required:
 * a translation that lacks one is refused, never filled in from English.
 */
const translationSchema = z
  .object({
    title: z.string().trim().min(1).max(200),
    summary: z.string().trim().min(1).max(300),
    form_heading: z.string().trim().min(1).max(200),
    share_text: z.string().trim().min(1).max(280),
    letter: z.string().trim().min(1),
    consent: z.object({ text: z.string().trim().min(1).max(300) }).strict(),
    image_alt: z.string().trim().min(1).max(300).optional(),
  })
  .strict();

export interface Campaign {
  slug: string;
  /** The language of this copy: the main file is English, each translation file another language. */
  locale: Locale;
  /** This campaign in every language it is written in, this copy included (English always); made by catalogOf. */
  inLanguage: ReadonlyMap<Locale, Campaign>;
  /** The words of each translation file, from which catalogOf makes the other languages' copies. */
  translations: ReadonlyMap<Locale, CampaignCopy>;
  title: string;
  summary: string;
  target: string;
  goal: number;
  /** Counts whose crossing is recorded and mailed to the campaign's organizers, increasing. */
  milestones: readonly number[];
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
  /** New signatures are pending until confirmed from an email; only confirmed ones count. */
  confirmEmail: boolean;
  /** The country the form starts with, for a campaign whose signers are nearly all in one; else none. */
  defaultCountry: string | undefined;
  consent: { version: string; text: string };
  /** The link preview image: an https address or a path under public/; undefined for the site's own. */
  image: string | undefined;
  /** What the preview image shows, for people who cannot see it. */
  imageAlt: string;
  /** The partner sites (origins) that may frame the embed; none: nobody may. */
  embedOrigins: string[];
  file: string;
}

/** What a translation file replaces: the words, never a setting. */
export type CampaignCopy = Pick<
  Campaign,
  'title' | 'summary' | 'formHeading' | 'shareText' | 'bodyHtml' | 'letterHtml' | 'imageAlt' | 'file'
> & { consentText: string };

export class CampaignContentError extends Error {}

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/;

const oneLine = (text: string): string => text.split('\n')[0]?.trim() ?? '';

/** The file as the person fixing it would type it: relative to where they are, when it is below. */
function displayName(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

const KINDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a group of fields, each on its own indented line below it',
  array: 'a list',
};

const FORMATS: Record<string, string> = {
  email: 'an email address, such as campaigns@example.org',
  url: 'a full web address, such as https://example.org',
  date: 'a date written YEAR-MONTH-DAY, such as 2026-03-31',
};

function valueAt(data: unknown, path: PropertyKey[]): unknown {
  return path.reduce<unknown>(
    (value, key) => (value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined),
    data,
  );
}

/**
 * One front matter mistake in words an organizer can act on ("`title` is missing"), in place of
 * zod's ("Invalid input: expected string, received undefined"). Worked out from the kind of mistake,
 * so a field added to the schema gets plain messages without writing any.
 */
function describeIssue(issue: core.$ZodIssue, data: unknown): string {
  const field = `\`${issue.path.map(String).join('.')}\``;
  switch (issue.code) {
    case 'invalid_type':
      if (valueAt(data, issue.path) === undefined) return `${field} is missing`;
      return `${field} must be ${KINDS[issue.expected] ?? issue.expected}`;
    case 'too_small':
      if (issue.origin === 'string')
        return Number(issue.minimum) <= 1
          ? `${field} is empty`
          : `${field} must be at least ${issue.minimum} characters`;
      return `${field} must be ${issue.inclusive ? 'at least' : 'more than'} ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `${field} must be at most ${issue.maximum} characters long`;
      return `${field} must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}`;
    case 'invalid_format':
      return `${field} must be ${FORMATS[issue.format] ?? issue.message}`;
    case 'invalid_value':
      return `${field} must be ${issue.values.map(String).join(' or ')}`;
    case 'unrecognized_keys':
      return issue.keys
        .map((key) => `\`${[...issue.path.map(String), key].join('.')}\` is not a campaign field: check its spelling`)
        .join('\n');
    default:
      return `${field} ${issue.message}`;
  }
}

/** A file's front matter, checked by `schema`, and the text after it; a mistake names file and field. */
function readFile<T>(file: string, source: string, schema: z.ZodType<T>): { fm: T; body: string } {
  const name = displayName(file);
  const match = FRONT_MATTER.exec(source);
  if (!match) throw new CampaignContentError(`${name}: must start with a front matter block between --- lines`);
  let data: unknown;
  try {
    data = YAML.parse(match[1] ?? '');
  } catch (error) {
    throw new CampaignContentError(`${name}: the front matter is not valid YAML: ${oneLine((error as Error).message)}`);
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const lines = parsed.error.issues.flatMap((issue) => describeIssue(issue, data).split('\n'));
    throw new CampaignContentError(lines.map((line) => `${name}: ${line}`).join('\n'));
  }
  const body = (match[2] ?? '').trim();
  if (!body)
    throw new CampaignContentError(
      `${name}: the campaign text after the front matter is empty: write it below the closing ---`,
    );
  return { fm: parsed.data, body };
}

export function parseCampaign(file: string, source: string): Campaign {
  const { fm, body } = readFile(file, source, frontMatterSchema);
  const inLanguage = new Map<Locale, Campaign>();
  const campaign: Campaign = {
    slug: fm.slug,
    locale: DEFAULT_LOCALE,
    inLanguage,
    translations: new Map(),
    title: fm.title,
    summary: fm.summary,
    target: fm.target,
    goal: fm.goal,
    milestones: fm.milestones,
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
    confirmEmail: fm.confirm_email,
    defaultCountry: fm.default_country,
    consent: fm.consent,
    image: fm.image?.replace(/^\/+/, ''),
    imageAlt: fm.image_alt ?? fm.title,
    embedOrigins: fm.embed_origins,
    file,
  };
  inLanguage.set(DEFAULT_LOCALE, campaign);
  return campaign;
}

/** `amazon-ring.es.md` → the main file's name and the language; undefined for a main file. */
const TRANSLATION_FILE = /^(.+)\.([a-z]{2,3}(?:-[a-z0-9]{2,8})?)\.md$/i;

/** The campaign (from parseCampaign) with a translation file's words added; catalogOf makes its copy in that language. */
export function addTranslation(campaign: Campaign, locale: Locale, file: string, source: string): Campaign {
  const { fm, body } = readFile(file, source, translationSchema);
  const copy: CampaignCopy = {
    title: fm.title,
    summary: fm.summary,
    formHeading: fm.form_heading,
    shareText: fm.share_text,
    bodyHtml: marked.parse(body, { async: false }),
    letterHtml: marked.parse(fm.letter, { async: false }),
    consentText: fm.consent.text,
    imageAlt: fm.image_alt ?? fm.title,
    file,
  };
  return { ...campaign, translations: new Map([...campaign.translations, [locale, copy]]) };
}

/**
 * The campaign in each of its languages: the English one as it is, each translation the same
 * campaign with the words replaced, so every setting is shared and read from one place.
 */
function withLanguages(main: Campaign): Campaign {
  const inLanguage = new Map<Locale, Campaign>();
  const english: Campaign = { ...main, locale: DEFAULT_LOCALE, inLanguage };
  inLanguage.set(DEFAULT_LOCALE, english);
  for (const [locale, { consentText, ...words }] of main.translations) {
    inLanguage.set(locale, { ...english, ...words, locale, consent: { ...main.consent, text: consentText } });
  }
  return english;
}

export interface CampaignCatalog {
  /** Every campaign, in English (each one's other languages are in its `inLanguage`). */
  all: Campaign[];
  defaultCampaign: Campaign;
  /** The campaign in a language (English by default), or undefined when it has no copy in that language. */
  bySlug(slug: string, locale?: Locale): Campaign | undefined;
  /** Email domains refused at signing (disposable-domains.txt beside the campaign files), lower-case. */
  disposableDomains: ReadonlySet<string>;
}

/** The file of disposable-mail domains organizers keep beside the campaigns (README, "Disposable mail"). */
export const DISPOSABLE_DOMAINS_FILE = 'disposable-domains.txt';
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/;

/** One domain a line; `#` starts a comment; blank lines are ignored. A line that is not a domain stops start-up. */
export function parseDisposableDomains(file: string, text: string): Set<string> {
  const domains = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = (raw.split('#')[0] ?? '').trim().toLowerCase();
    if (!line) return;
    if (!DOMAIN.test(line)) {
      throw new CampaignContentError(
        `${displayName(file)} line ${i + 1}: "${line}" is not a domain name: write one domain a line, like mailinator.com`,
      );
    }
    domains.add(line);
  });
  return domains;
}

function loadDisposableDomains(dir: string): Set<string> {
  const file = join(dir, DISPOSABLE_DOMAINS_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return new Set();
    throw error;
  }
  return parseDisposableDomains(file, text);
}

/** Whether mail to this domain, or to a domain under it (x.mailinator.com), is disposable by the list. */
export function isDisposable(catalog: CampaignCatalog, domain: string): boolean {
  const labels = domain.toLowerCase().split('.');
  return labels.some((_, i) => catalog.disposableDomains.has(labels.slice(i).join('.')));
}

/** Reads every `*.md` in the folder. One may say `default: true`; otherwise the first by file name is the home page. */
export function loadCampaigns(dir: string): CampaignCatalog {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith('.md') && !f.startsWith('.') && f.toLowerCase() !== 'readme.md')
      .sort();
  } catch (error) {
    const code = (error as { code?: string }).code ?? (error as Error).message;
    throw new CampaignContentError(
      `The campaigns folder ${dir} cannot be read (${code}): set CAMPAIGNS_DIR to the folder of campaign files`,
    );
  }
  const translations = files.filter((f) => TRANSLATION_FILE.test(f));
  const mains = files.filter((f) => !TRANSLATION_FILE.test(f));
  const byFile = new Map(mains.map((f) => [f, parseCampaign(join(dir, f), readFileSync(join(dir, f), 'utf8'))]));
  // Checked before any translation, so a broken main file is the first thing said.
  for (const f of translations) {
    const [, base = '', language = ''] = TRANSLATION_FILE.exec(f) ?? [];
    const name = displayName(join(dir, f));
    const locale = language.toLowerCase();
    if (!isLocale(locale) || locale === DEFAULT_LOCALE)
      throw new CampaignContentError(
        `${name}: "${language}" is not a language of this site: a translation is named after its campaign's file and one of ${LOCALES.filter((l) => l !== DEFAULT_LOCALE).join(', ')}, such as ${base}.es.md`,
      );
    const campaign = byFile.get(`${base}.md`);
    if (!campaign)
      throw new CampaignContentError(
        `${name}: there is no ${base}.md beside it: a translation is named after the file of the campaign it translates`,
      );
    byFile.set(`${base}.md`, addTranslation(campaign, locale, join(dir, f), readFileSync(join(dir, f), 'utf8')));
  }
  return catalogOf([...byFile.values()], dir, loadDisposableDomains(dir));
}

export function catalogOf(
  mains: Campaign[],
  where = 'campaigns',
  disposableDomains: ReadonlySet<string> = new Set(),
): CampaignCatalog {
  const all = mains.map(withLanguages);
  if (all.length === 0)
    throw new CampaignContentError(
      `There are no campaign files (*.md) in ${where}: add one, or set CAMPAIGNS_DIR to the folder that has them`,
    );
  const seen = new Map<string, Campaign>();
  for (const c of all) {
    const other = seen.get(c.slug);
    if (other)
      throw new CampaignContentError(
        `${displayName(c.file)}: \`slug\` "${c.slug}" is also used by ${displayName(other.file)}: give each campaign its own`,
      );
    seen.set(c.slug, c);
  }
  const defaults = all.filter((c) => c.isDefault);
  if (defaults.length > 1) {
    throw new CampaignContentError(
      `${defaults.map((c) => displayName(c.file)).join(', ')}: \`default\` is true in more than one file: only one campaign may be the default`,
    );
  }
  const defaultCampaign = defaults[0] ?? (all[0] as Campaign);
  return {
    all,
    defaultCampaign,
    bySlug: (slug, locale = DEFAULT_LOCALE) => seen.get(slug)?.inLanguage.get(locale),
    disposableDomains,
  };
}

/**
 * The catalog the app is given (deps.campaigns), whose contents a reload replaces in one step: every
 * reader sees either the old version or the new one whole, never a mixture of files.
 */
export class LiveCatalog implements CampaignCatalog {
  constructor(private current: CampaignCatalog) {}
  get all(): Campaign[] {
    return this.current.all;
  }
  get defaultCampaign(): Campaign {
    return this.current.defaultCampaign;
  }
  bySlug(slug: string, locale?: Locale): Campaign | undefined {
    return this.current.bySlug(slug, locale);
  }
  get disposableDomains(): ReadonlySet<string> {
    return this.current.disposableDomains;
  }
  replace(next: CampaignCatalog): void {
    this.current = next;
  }
}
