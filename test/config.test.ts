import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { ConfigError, loadConfig, loadServerConfig, SECRET_KEY_COMMAND } from '../src/config.js';

describe('loadConfig', () => {
  it('starts with no variables set, with safe defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      production: false,
      port: 3000,
      host: '127.0.0.1',
      baseUrl: 'http://localhost:3000',
      secure: false,
      trustProxy: 0,
      signRateLimit: 10,
      minFillSeconds: 1,
      secretKey: undefined,
    });
    expect(config.databasePath).toMatch(/data\/undersigned\.db$/);
  });

  it('reads every variable it documents', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_PATH: '/var/lib/undersigned/db.sqlite',
      BASE_URL: 'https://sign.example.org/',
      TRUST_PROXY: '1',
      SIGN_RATE_LIMIT: '0',
      MIN_FILL_SECONDS: '0',
      SECRET_KEY: 'k'.repeat(40),
    });
    expect(config).toMatchObject({
      production: true,
      port: 8080,
      host: '0.0.0.0',
      databasePath: '/var/lib/undersigned/db.sqlite',
      baseUrl: 'https://sign.example.org',
      secure: true,
      trustProxy: 1,
      signRateLimit: 0,
      minFillSeconds: 0,
      secretKey: 'k'.repeat(40),
    });
  });

  it('DATABASE_URL → PostgreSQL for postgres:// URLs, a unix socket included; anything else stops start-up naming it', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db.example.org:5432/undersigned' }).databaseUrl).toBe(
      'postgres://u:p@db.example.org:5432/undersigned',
    );
    expect(loadConfig({ DATABASE_URL: 'postgresql://u@/undersigned?host=/var/run/postgresql' }).databaseUrl).toBe(
      'postgresql://u@/undersigned?host=/var/run/postgresql',
    );
    expect(loadConfig({}).databaseUrl).toBeUndefined();
    for (const bad of ['mysql://u@db/x', 'db.example.org', 'postgres:/nope'])
      expect(() => loadConfig({ DATABASE_URL: bad })).toThrow(/^DATABASE_URL must be a postgres:\/\/ URL/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', BASE_URL: '' }).port).toBe(3000);
  });

  const bad: [string, Record<string, string>][] = [
    ['PORT', { PORT: 'eighty' }],
    ['PORT', { PORT: '70000' }],
    ['BASE_URL', { BASE_URL: 'sign.example.org' }],
    ['BASE_URL', { BASE_URL: 'ftp://sign.example.org' }],
    ['TRUST_PROXY', { TRUST_PROXY: 'true' }],
    ['SIGN_RATE_LIMIT', { SIGN_RATE_LIMIT: '-1' }],
    ['MIN_FILL_SECONDS', { MIN_FILL_SECONDS: 'soon' }],
    ['MIN_FILL_SECONDS', { MIN_FILL_SECONDS: '-0.5' }],
    ['NODE_ENV', { NODE_ENV: 'staging' }],
    ['SECRET_KEY', { SECRET_KEY: 'short' }],
  ];
  for (const [name, env] of bad) {
    it(`stops start-up naming ${name} when it is ${JSON.stringify(env[name])}`, () => {
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(new RegExp(`^${name} must `));
    });
  }

  it('says each mistake in one line of its own, naming the variable', () => {
    let message = '';
    try {
      loadConfig({ PORT: 'eighty', NODE_ENV: 'staging' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split('\n').sort()).toEqual([
      'NODE_ENV must be development, production or test',
      'PORT must be a whole number from 0 to 65535',
    ]);
  });
});

describe('loadServerConfig', () => {
  const production = { NODE_ENV: 'production', BASE_URL: 'https://sign.example.org', SECRET_KEY: 'k'.repeat(43) };
  const messageOf = (env: Record<string, string>) => {
    try {
      loadServerConfig(env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('expected a ConfigError');
  };

  it('starts in production with BASE_URL and SECRET_KEY set', () => {
    expect(loadServerConfig(production)).toMatchObject({ production: true, baseUrl: 'https://sign.example.org' });
  });

  it('production without BASE_URL → refuses, saying what to set it to', () => {
    const message = messageOf({ ...production, BASE_URL: '' });
    expect(message).toMatch(/^BASE_URL is not set: .*BASE_URL=https:\/\/sign\.example\.org$/);
    expect(message.split('\n')).toHaveLength(1);
  });

  it('production without SECRET_KEY → refuses, with a command that makes a key long enough', () => {
    const message = messageOf({ ...production, SECRET_KEY: '' });
    expect(message).toMatch(/^SECRET_KEY is not set: /);
    expect(message).toContain(SECRET_KEY_COMMAND);
    // The command shown really makes a key the configuration accepts.
    const made = execFileSync(process.execPath, ['-e', /node -e "(.*)"$/.exec(SECRET_KEY_COMMAND)?.[1] ?? ''], {
      encoding: 'utf8',
    }).trim();
    expect(loadServerConfig({ ...production, SECRET_KEY: made }).secretKey).toBe(made);
  });

  it('production without either → both, one line each', () => {
    expect(
      messageOf({ NODE_ENV: 'production' })
        .split('\n')
        .map((l) => l.split(' ')[0]),
    ).toEqual(['BASE_URL', 'SECRET_KEY']);
  });

  it('outside production neither is needed', () => {
    expect(loadServerConfig({}).baseUrl).toBe('http://localhost:3000');
  });
});
