/**
 * The words of every email that are not in its templates (views/email/): subjects and the sender's
 * display name. One entry per language, whole sentences with named places, never fragments glued
 * together, so a Spanish catalog (issue 14) is a second entry of the same shape.
 */
export interface MailCopy {
  subject: { confirm: string; 'already-signed': string };
}

const CATALOG: Record<string, MailCopy> = {
  en: {
    subject: {
      confirm: 'Please confirm your signature: {title}',
      'already-signed': 'You have already signed: {title}',
    },
  },
};

export const mailCopy = (locale: string): MailCopy => CATALOG[locale] ?? (CATALOG.en as MailCopy);

/** Fills {name} places in a catalog sentence. */
export const fill = (sentence: string, values: Record<string, string>): string =>
  sentence.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
