import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Repositories } from '../../src/repositories.js';
import { buildTestApp, rowCount, validForm, type TestApp } from '../helpers.js';
import { englishIn, englishPieces } from './helpers.js';

let t: TestApp;
let pieces: string[];

beforeEach(async () => {
  t = await buildTestApp();
  pieces = englishPieces(t.campaigns);
});
afterEach(() => t.db.close());

const signEs = (overrides: Record<string, string | undefined> = {}, slug = 'amazon-ring') =>
  request(t.app).post(`/es/campaigns/${slug}/signatures`).type('form').send(validForm(overrides));

/** A Spanish page: lang="es", no English catalog or campaign words, a switch to English and hreflang links. */
function expectSpanish(html: string, englishHref?: string) {
  expect(html).toMatch(/<html lang="es">/);
  expect(englishIn(html, pieces)).toEqual([]);
  if (englishHref) {
    expect(html).toContain(`<a href="${englishHref}" hreflang="en" lang="en">English</a>`);
    expect(html).toContain(`<link rel="alternate" hreflang="en" href="http://localhost:3000${englishHref}">`);
  }
}

describe('Spanish pages', () => {
  it('GET /es/campaigns/amazon-ring → the Spanish copy, form, countries and numbers, switch to English', async () => {
    await signEs().expect(303);
    const res = await request(t.app).get('/es/campaigns/amazon-ring').expect(200);
    expectSpanish(res.text, '/campaigns/amazon-ring');
    expect(res.text).toContain('<h1>Dile a Amazon Ring que deje de compartir información con la policía</h1>');
    expect(res.text).toContain('Carta abierta a Amazon Ring');
    expect(res.text).toContain('<h2 id="sign-heading">Firma la carta a Amazon Ring</h2>');
    expect(res.text).toContain('action="/es/campaigns/amazon-ring/signatures"');
    expect(res.text).toContain('<option value="US">Estados Unidos</option>');
    expect(res.text).toContain('<strong>1</strong> firma <span class="progress-goal">de una meta de 20.000</span>');
    expect(res.text).toContain('faltan 19.999');
    expect(res.text).toContain('Quiero recibir novedades de esta campaña por correo electrónico.');
    expect(res.text).toContain('href="/es/privacy"');
    expect(res.text).toContain('<link rel="canonical" href="http://localhost:3000/es/campaigns/amazon-ring">');
    expect(res.text).toContain(
      '<link rel="alternate" hreflang="es" href="http://localhost:3000/es/campaigns/amazon-ring">',
    );
    expect(res.text).toContain('Te quedan %{count} caracteres');
  });

  it('GET /es/ and /es → the default campaign in Spanish; / stays English whatever Accept-Language says', async () => {
    const home = await request(t.app).get('/es/').expect(200);
    expectSpanish(home.text, '/campaigns/amazon-ring');
    await request(t.app).get('/es').expect(200);
    const english = await request(t.app).get('/').set('Accept-Language', 'es-MX,es;q=0.9').expect(200);
    expect(english.text).toMatch(/<html lang="en">/);
    expect(english.text).toContain('<a href="/es/campaigns/amazon-ring" hreflang="es" lang="es">Español</a>');
  });

  it('the English page → unchanged words, lang="en", a switch to Spanish', async () => {
    const res = await request(t.app).get('/campaigns/amazon-ring').expect(200);
    expect(res.text).toMatch(/<html lang="en">/);
    expect(res.text).toContain('Tell Amazon Ring: stop sharing information with police');
    expect(res.text).toContain('<strong>0</strong> signatures <span class="progress-goal">of 20,000 goal</span>');
    expect(res.text).toContain(
      '<link rel="alternate" hreflang="es" href="http://localhost:3000/es/campaigns/amazon-ring">',
    );
  });

  it('a campaign without a Spanish copy → no /es page (404 in Spanish), and no switch on its English page', async () => {
    const res = await request(t.app).get('/es/campaigns/library-hours').expect(404);
    expectSpanish(res.text);
    expect(res.text).toContain('No encontramos esta página');
    const english = await request(t.app).get('/campaigns/library-hours').expect(200);
    expect(english.text).not.toContain('hreflang');
    await signEs({}, 'library-hours').expect(404);
    expect(rowCount(t.db)).toBe(0);
  });

  it('GET /es/campaigns/amazon-ring.json → the Spanish title and country names, the same count', async () => {
    await signEs({ country: 'MX', postal_code: '06000' }).expect(303);
    const res = await request(t.app).get('/es/campaigns/amazon-ring.json').expect(200);
    expect(res.body).toMatchObject({
      title: 'Dile a Amazon Ring que deje de compartir información con la policía',
      signatureCount: 1,
      signaturesByCountry: [{ code: 'MX', name: 'México', count: 1 }],
    });
    const english = await request(t.app).get('/campaigns/amazon-ring.json').expect(200);
    expect(english.body).toMatchObject({ signatureCount: 1, signaturesByCountry: [{ name: 'Mexico' }] });
  });

  it('GET /es/privacy → Spanish, campaigns linked in Spanish where they have it, dates in Spanish', async () => {
    const res = await request(t.app).get('/es/privacy').expect(200);
    expectSpanish(res.text, '/privacy');
    expect(res.text).toContain('<h1>Privacidad: qué datos guardamos y por qué</h1>');
    expect(res.text).toContain('<a href="/es/campaigns/amazon-ring">Dile a Amazon Ring');
    // No Spanish copy: its English title and page, marked as English.
    expect(res.text).toContain(
      '<a href="/campaigns/library-hours" hreflang="en" lang="en">Keep the Eastside library open on Sundays</a>',
    );
    expect(res.text).toContain('Esta campaña cerró el 31 de enero de 2026.');
    expect(res.text).toContain('<strong>El idioma en que firmaste</strong>');
  });
});

describe('signing in Spanish', () => {
  it('POST /es/…/signatures → stored with locale es, one count with English, thank-you page in Spanish', async () => {
    await request(t.app)
      .post('/campaigns/amazon-ring/signatures')
      .type('form')
      .send(validForm({ email: 'grace@example.org' }))
      .expect(303);
    const res = await signEs({ first_name: 'María' }).expect(303);
    expect(res.headers.location).toBe('/es/campaigns/amazon-ring/thanks');
    expect(res.headers['set-cookie']?.[0]).toContain('Path=/es/campaigns/amazon-ring/thanks');
    const rows = t.db.prepare('SELECT email_key, locale FROM signatures ORDER BY id').all();
    expect(rows).toEqual([
      { email_key: 'grace@example.org', locale: 'en' },
      { email_key: 'ada@example.org', locale: 'es' },
    ]);
    const cookie = String(res.headers['set-cookie']?.[0]).split(';')[0] as string;
    const thanks = await request(t.app).get('/es/campaigns/amazon-ring/thanks').set('Cookie', cookie).expect(200);
    expectSpanish(thanks.text, '/campaigns/amazon-ring/thanks');
    expect(thanks.text).toContain('¡Gracias, María!');
    expect(thanks.text).toContain('<strong>2</strong> firmas');
    expect(thanks.text).toContain('Ahora pídeselo a una persona más');
    expect(thanks.text).toContain(encodeURIComponent('http://localhost:3000/es/campaigns/amazon-ring'));
    const page = await request(t.app).get('/campaigns/amazon-ring').expect(200);
    expect(page.text).toContain('<strong>2</strong> signatures');
  });

  it('the same address in the other language → still one signature', async () => {
    await request(t.app).post('/campaigns/amazon-ring/signatures').type('form').send(validForm()).expect(303);
    await signEs({ email: 'ADA@example.org' }).expect(303);
    expect(rowCount(t.db)).toBe(1);
    expect(t.db.prepare('SELECT locale FROM signatures').pluck().get()).toBe('en');
  });

  it('GET /es/…/thanks without the cookie → the campaign in Spanish and a way to sign', async () => {
    const res = await request(t.app).get('/es/campaigns/amazon-ring/thanks').expect(200);
    expectSpanish(res.text, '/campaigns/amazon-ring/thanks');
    expect(res.text).toContain('href="/es/campaigns/amazon-ring#sign">Lee la carta y fírmala</a>');
  });

  it('a mistake → 422, the error summary and field messages in Spanish, the country named in Spanish', async () => {
    const res = await signEs({ first_name: '', email: 'nope', country: 'DE', postal_code: '!!' }).expect(422);
    expectSpanish(res.text, '/campaigns/amazon-ring');
    expect(res.text).toContain('<title>Error: Dile a Amazon Ring');
    expect(res.text).toContain('Hay un problema');
    expect(res.text).toContain('<a href="#first-name">Escribe tu nombre</a>');
    expect(res.text).toContain('Escribe un correo electrónico válido, como nombre@ejemplo.com');
    expect(res.text).toContain('o cambia el país si no vives en Alemania');
    expect(res.text).toContain('<span class="visually-hidden">Error:</span> Escribe tu nombre');
    expect(rowCount(t.db)).toBe(0);
  });

  it('a US ZIP that does not fit → the Spanish ZIP message', async () => {
    const res = await signEs({ postal_code: '123' }).expect(422);
    expect(res.text).toContain('Escribe un código postal (ZIP) de 5 dígitos');
  });

  it('a closed campaign → 410 in Spanish with a link to its Spanish page', async () => {
    const res = await signEs({}, 'old-campaign').expect(410);
    expectSpanish(res.text);
    expect(res.text).toContain('Esta campaña ya cerró');
    expect(res.text).toContain(
      'href="/es/campaigns/old-campaign">Ver el total final de “Salvemos el viejo quiosco de música”</a>',
    );
    const page = await request(t.app).get('/es/campaigns/old-campaign').expect(200);
    expectSpanish(page.text, '/campaigns/old-campaign');
    expect(page.text).toContain('Nadie la firmó.');
  });

  it('past the rate limit → 429 in Spanish with the values kept', async () => {
    const limited = await buildTestApp({ SIGN_RATE_LIMIT: '1' });
    try {
      await request(limited.app)
        .post('/es/campaigns/amazon-ring/signatures')
        .type('form')
        .send(validForm())
        .expect(303);
      const res = await request(limited.app)
        .post('/es/campaigns/amazon-ring/signatures')
        .type('form')
        .send(validForm({ email: 'b@example.org' }))
        .expect(429);
      expectSpanish(res.text, '/campaigns/amazon-ring');
      expect(res.text).toContain('En el último minuto llegaron demasiadas firmas desde tu conexión');
      expect(res.text).toContain('value="b@example.org"');
      // One limit for both languages: the English form is refused too.
      await request(limited.app)
        .post('/campaigns/amazon-ring/signatures')
        .type('form')
        .send(validForm({ email: 'c@example.org' }))
        .expect(429);
    } finally {
      limited.db.close();
    }
  });

  it('a form from another site → 403 in Spanish', async () => {
    const res = await signEs().set('Sec-Fetch-Site', 'cross-site').expect(403);
    expectSpanish(res.text);
    expect(res.text).toContain('Este formulario se envió desde otro sitio');
  });

  it('GET /es/…/signatures → back to the Spanish campaign page', async () => {
    const res = await request(t.app).get('/es/campaigns/amazon-ring/signatures').expect(303);
    expect(res.headers.location).toBe('/es/campaigns/amazon-ring');
  });
});

describe('Spanish error pages', () => {
  it('404 → Spanish page, a link to the Spanish home', async () => {
    const res = await request(t.app).get('/es/nowhere').expect(404);
    expectSpanish(res.text, '/nowhere');
    expect(res.text).toContain('href="/es/">Ir a la campaña</a>');
    const english = await request(t.app).get('/nowhere').expect(404);
    expect(english.text).toContain('Page not found');
  });

  it('a body too large → 413 in Spanish', async () => {
    const res = await signEs({ comment: 'x'.repeat(40_000) }).expect(413);
    expectSpanish(res.text);
    expect(res.text).toContain('Lo que enviaste es demasiado largo');
  });

  it('the database failing → 503 in Spanish', async () => {
    const failing = (repos: Repositories): Repositories => ({
      ...repos,
      campaigns: {
        ...repos.campaigns,
        totals: async () => Promise.reject(Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' })),
      },
    });
    const broken = await buildTestApp();
    Object.assign(broken.repos, failing(broken.repos));
    try {
      const res = await request(broken.app).get('/es/campaigns/amazon-ring/thanks').expect(503);
      expectSpanish(res.text);
      expect(res.text).toContain('Lo sentimos, vuelve a intentarlo en un momento');
    } finally {
      broken.db.close();
    }
  });
});
