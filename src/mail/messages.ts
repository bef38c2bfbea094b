import { createRequire } from 'node:module';
import type { SendMailOptions } from 'nodemailer';
import type { CampaignCatalog } from '../campaigns/content.js';
import { fromRoot } from '../paths.js';
import { PENDING_DAYS } from '../privacy/retention.js';
import { isLocale, translator } from '../i18n/index.js';
import { linkPath } from './links.js';
import { formatNumber } from '../campaigns/view.js';
import type { OutboxMessage } from './repository.js';

export interface MessageDeps {
  campaigns: CampaignCatalog;
  baseUrl: string;
  from: string;
  /** Compiled templates are kept (production); off, an edited template shows in the next email. */
  cache: boolean;
}

const template = (name: string) => fromRoot('views', 'email', name);

// Loaded without its type package, which is a devDependency: the production build (npm ci
// --omit=dev) compiles this file too. Only renderFile is used.
const ejs = createRequire(import.meta.url)('ejs') as {
  renderFile(path: string, data: object, options: { cache: boolean }): Promise<string>;
};

/**
 * The email for an outbox message: plain text and HTML from views/email/, the subject from the
 * catalog (copy.ts), Reply-To the campaign's organizer. No images, no tracking pixel, and every link
 * is the address of our own page as it is, never rewritten through a redirector that could count clicks.
 */
export async function renderMessage(message: OutboxMessage, deps: MessageDeps): Promise<SendMailOptions> {
  // In the language the person signed in; should that copy of the campaign have been taken away
  // since, in English rather than not at all.
  const locale = isLocale(message.locale) ? message.locale : 'en';
  const campaign = deps.campaigns.bySlug(message.campaignSlug, locale) ?? deps.campaigns.bySlug(message.campaignSlug);
  if (!campaign) throw new Error(`no campaign ${message.campaignSlug} for outbox message ${message.id}`);
  const { payload } = message;
  const { t, th } = translator(campaign.locale);
  const options = { cache: deps.cache };
  const render = (data: object) =>
    Promise.all([
      ejs.renderFile(template(`${message.kind}.text.ejs`), data, options),
      ejs.renderFile(template(`${message.kind}.html.ejs`), data, options),
    ]);
  const campaignData = { title: campaign.title, target: campaign.target, organizer: campaign.organizer.name };

  let subject: string;
  let text: string;
  let html: string;
  let unsubscribe: string | undefined;
  if (payload.kind === 'milestone') {
    // To the campaign's organizers, from the site: nothing to unsubscribe from, no link that acts.
    const count = formatNumber(payload.milestone);
    subject = t('mail.milestone_subject', { count, title: campaign.title });
    [text, html] = await render({
      lang: campaign.locale,
      t,
      th,
      subject,
      count,
      campaign: campaignData,
      countPage: `${deps.baseUrl}/organizers/campaigns/${campaign.slug}`,
    });
  } else {
    subject = t(payload.kind === 'confirm' ? 'mail.confirm_subject' : 'mail.already_subject', {
      title: campaign.title,
    });
    const token = payload.kind === 'confirm' ? payload.tokens.confirm : payload.tokens.withdraw;
    if (!token) throw new Error(`outbox message ${message.id} has no link token`);
    const action = payload.kind === 'confirm' ? 'confirm' : 'withdraw';
    const link = deps.baseUrl + linkPath(campaign.slug, action, token, campaign.locale);
    unsubscribe = payload.tokens.unsubscribe
      ? deps.baseUrl + linkPath(campaign.slug, 'unsubscribe', payload.tokens.unsubscribe, campaign.locale)
      : undefined;
    [text, html] = await render({
      lang: campaign.locale,
      t,
      th,
      subject,
      firstName: payload.firstName,
      campaign: campaignData,
      link,
      unsubscribe,
      pendingDays: PENDING_DAYS,
    });
  }
  const domain = /@([^>\s]+)>?\s*$/.exec(deps.from)?.[1] ?? 'localhost';
  const headers: Record<string, string> = {
    // Tells vacation responders and auto-forwarders not to answer a machine.
    'Auto-Submitted': 'auto-generated',
  };
  if (unsubscribe) {
    // RFC 8058 one-click: the provider POSTs "List-Unsubscribe=One-Click" to this address, without
    // cookies, and the page authenticates it by its token alone.
    headers['List-Unsubscribe'] = `<${unsubscribe}>`;
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }
  return {
    from: deps.from,
    to: message.to,
    replyTo: { name: campaign.organizer.name, address: campaign.organizer.email },
    subject,
    text,
    html,
    headers,
    // The same id on every try: a receiving server that got a message whose acknowledgement was lost
    // can tell the retry is the same message.
    messageId: `<outbox-${message.id}.${Date.parse(message.createdAt)}@${domain}>`,
    date: new Date(message.createdAt),
  };
}
