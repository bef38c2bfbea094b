import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validForm } from '../helpers.js';
import { BASE_URL, buildMailApp, signatureRow, totals, type MailTestApp } from '../mail/harness.js';
import { onlyLink, rawHeader, startSmtp, urlsIn, type TestSmtp } from '../mail/smtp.js';
import { englishIn, englishPieces } from './helpers.js';

let smtp: TestSmtp;
let t: MailTestApp;
let pieces: string[];

beforeEach(async () => {
  smtp = await startSmtp();
  t = await buildMailApp(smtp.url);
  pieces = englishPieces(t.campaigns);
});
afterEach(async () => {
  await t.close();
  await smtp.close();
});

const signEs = (overrides: Record<string, string | undefined> = {}) =>
  request(t.app).post('/es/campaigns/amazon-ring/signatures').type('form').send(validForm(overrides));
const pathOf = (url: string) => url.slice(BASE_URL.length);

function expectSpanishPage(html: string) {
  expect(html).toMatch(/<html lang="es">/);
  expect(englishIn(html, pieces)).toEqual([]);
}

describe('mail to a Spanish signer', () => {
  it('signing in Spanish → the confirmation in Spanish, its link to the Spanish page', async () => {
    await signEs({ first_name: 'María', updates: 'yes' }).expect(303);
    const [mail] = await smtp.received(1);
    expect(signatureRow(t, 'ada@example.org')).toMatchObject({ locale: 'es', status: 'pending' });
    expect(mail?.subject).toBe(
      'Confirma tu firma: Dile a Amazon Ring que deje de compartir información con la policía',
    );
    expect(mail?.text).toContain('Hola, María:');
    expect(mail?.text).toContain('Tu firma cuenta en cuanto la confirmes.');
    expect(englishIn(mail?.text ?? '', pieces)).toEqual([]);
    expect(mail?.html).toContain('<html lang="es">');
    expect(englishIn(String(mail?.html), pieces)).toEqual([]);
    expect(onlyLink(mail!)).toMatch(/^\/es\/campaigns\/amazon-ring\/confirm\//);
    expect(rawHeader(mail!, 'list-unsubscribe')).toMatch(
      /^<https:\/\/petition\.example\/es\/campaigns\/amazon-ring\/unsubscribe\//,
    );
  });

  it('the Spanish link pages → confirm, withdraw and unsubscribe in Spanish; the count is the one count', async () => {
    await signEs({ updates: 'yes' }).expect(303);
    const [mail] = await smtp.received(1);
    const confirm = onlyLink(mail!);
    const page = await request(t.app).get(confirm).expect(200);
    expectSpanishPage(page.text);
    expect(page.text).toContain('<button type="submit" class="button button-primary">Confirmar mi firma</button>');
    await request(t.app).post(confirm).type('form').send({}).expect(303).expect('Location', confirm);
    const done = await request(t.app).get(confirm).expect(200);
    expectSpanishPage(done.text);
    expect(done.text).toContain('Tu firma está confirmada');
    expect(totals(t).count).toBe(1);
    const english = await request(t.app).get('/campaigns/amazon-ring').expect(200);
    expect(english.text).toContain('<strong>1</strong> signature ');

    const withdraw = /href="(\/es\/campaigns\/amazon-ring\/withdraw\/[^"]+)"/.exec(done.text)?.[1] as string;
    const unsubscribe = /href="(\/es\/campaigns\/amazon-ring\/unsubscribe\/[^"]+)"/.exec(done.text)?.[1] as string;
    const stop = await request(t.app).get(unsubscribe).expect(200);
    expectSpanishPage(stop.text);
    expect(stop.text).toContain('¿Dejar de recibir novedades?');
    const remove = await request(t.app).get(withdraw).expect(200);
    expectSpanishPage(remove.text);
    expect(remove.text).toContain('¿Quitar tu firma?');
    await request(t.app)
      .post(withdraw)
      .type('form')
      .send({})
      .expect(303)
      .expect('Location', '/es/campaigns/amazon-ring/withdrawn');
    const gone = await request(t.app).get('/es/campaigns/amazon-ring/withdrawn').expect(200);
    expectSpanishPage(gone.text);
    expect(gone.text).toContain('Quitamos tu firma');
    const broken = await request(t.app).get(withdraw).expect(404);
    expectSpanishPage(broken.text);
    expect(broken.text).toContain('Este enlace no funciona');
  });

  it('one-click unsubscribe at the Spanish address → accepted from any site, like the English one', async () => {
    await signEs({ updates: 'yes' }).expect(303);
    const [mail] = await smtp.received(1);
    const url = /<([^>]+)>/.exec(rawHeader(mail!, 'list-unsubscribe') ?? '')?.[1] as string;
    await request(t.app)
      .post(pathOf(url))
      .set('Sec-Fetch-Site', 'cross-site')
      .type('form')
      .send('List-Unsubscribe=One-Click')
      .expect(200);
    expect(signatureRow(t, 'ada@example.org')).toMatchObject({ opted_in: 0 });
  });

  it('signing again in English after Spanish → "already signed" in the language first signed in', async () => {
    await signEs().expect(303);
    const [first] = await smtp.received(1);
    await request(t.app).post(onlyLink(first!)).type('form').send({}).expect(303);
    await request(t.app).post('/campaigns/amazon-ring/signatures').type('form').send(validForm()).expect(303);
    const [, again] = await smtp.received(2);
    expect(again?.subject).toBe('Ya firmaste: Dile a Amazon Ring que deje de compartir información con la policía');
    expect(again?.text).toContain('Ya habías firmado');
    expect(urlsIn(again?.text ?? '')[0]).toMatch(/\/es\/campaigns\/amazon-ring\/withdraw\//);
  });

  it('an English signer → English mail, as before', async () => {
    await request(t.app).post('/campaigns/amazon-ring/signatures').type('form').send(validForm()).expect(303);
    const [mail] = await smtp.received(1);
    expect(mail?.subject).toMatch(/^Please confirm your signature: /);
    expect(onlyLink(mail!)).toMatch(/^\/campaigns\/amazon-ring\/confirm\//);
  });
});
