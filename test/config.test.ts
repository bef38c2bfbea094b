import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

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
      minFillSeconds: 3,
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
    ['MIN_FILL_SECONDS', { MIN_FILL_SECONDS: '1.5' }],
    ['NODE_ENV', { NODE_ENV: 'staging' }],
    ['SECRET_KEY', { SECRET_KEY: 'short' }],
  ];
  for (const [name, env] of bad) {
    it(`stops start-up naming ${name} when it is ${JSON.stringify(env[name])}`, () => {
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(new RegExp(`${name}:`));
    });
  }
});
