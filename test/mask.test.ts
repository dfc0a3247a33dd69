// src/mask.ts: secret values (by key name, 6+ characters) and URL credentials become ***.
import { describe, expect, it } from 'vitest';
import { MASK, Masker, isSecretKey, maskVars, secretValues, stripAnsi } from '../src/mask';

describe('isSecretKey', () => {
  it.each(['AUTH_PASS', 'PASSWORD', 'JWT_SECRET_KEY', 'X_API_KEY', 'GITHUB_TOKEN', 'AWS_CREDENTIALS', 'db_password', 'RUSTFS_ACCESS_KEY'])('%s is secret', (key) => {
    expect(isSecretKey(key)).toBe(true);
  });
  it.each(['AUTH_USER', 'PROJECT_NAME', 'PORT_GATEWAY_HTTPS', 'HOME', 'ESB_TAG'])('%s is not secret', (key) => {
    expect(isSecretKey(key)).toBe(false);
  });
});

describe('secretValues', () => {
  it('takes values of secret keys of 6 characters or more', () => {
    const values = secretValues({ AUTH_PASS: 'hunter22', X_API_KEY: 'abcdef', RUSTFS_ACCESS_KEY: 'esb', SHORT_TOKEN: 'abcde', AUTH_USER: 'longusername', EMPTY_SECRET: '', UNSET_KEY: undefined });
    expect(values.sort()).toEqual(['abcdef', 'hunter22']);
  });

  it('lists a repeated value once', () => {
    expect(secretValues({ A_PASS: 'same-value', B_SECRET: 'same-value' })).toEqual(['same-value']);
  });
});

describe('Masker', () => {
  it('masks every occurrence of a secret value', () => {
    const m = new Masker(['s3cr3t-value']);
    expect(m.mask('a=s3cr3t-value b=s3cr3t-value')).toBe(`a=${MASK} b=${MASK}`);
  });

  it('leaves values under 6 characters alone (esb stays readable)', () => {
    const m = Masker.forVars({ RUSTFS_ACCESS_KEY: 'esb', AUTH_PASS: 'short', JWT_SECRET_KEY: 'long-enough' });
    expect(m.mask('project esb-e2e-docker, pass short, jwt long-enough')).toBe('project esb-e2e-docker, pass short, jwt ***');
    expect(new Masker(['esb', 'abc']).mask('esb abc')).toBe('esb abc');
  });

  it('masks exactly 6 characters', () => {
    expect(new Masker(['abcdef']).mask('[abcdef]')).toBe('[***]');
  });

  it('masks URL credentials', () => {
    const m = new Masker([]);
    expect(m.mask('GET https://user:pa55word@example.com/path')).toBe('GET https://***@example.com/path');
    expect(m.mask('redis://:secretpw@cache:6379/0')).toBe('redis://***@cache:6379/0');
    expect(m.mask('a=ssh://deploy:hunter2@10.0.0.1:22 b')).toBe('a=ssh://***@10.0.0.1:22 b');
    expect(m.mask('mail me at someone@example.com')).toBe('mail me at someone@example.com');
  });

  it('prefers the longest secret when one contains another', () => {
    const m = new Masker(['abcdef', 'abcdefghij']);
    expect(m.mask('abcdefghij abcdef')).toBe('*** ***');
  });

  it('treats regex characters in secrets literally', () => {
    const m = new Masker(['a.b*c+d?(e)']);
    expect(m.mask('x a.b*c+d?(e) y axbbbcdde')).toBe('x *** y axbbbcdde');
  });

  it('without secrets, text is unchanged', () => {
    expect(new Masker([]).mask('nothing to hide here')).toBe('nothing to hide here');
  });

  it('forVars combines several sets of variables', () => {
    const m = Masker.forVars({ AUTH_PASS: 'first-secret' }, { OTHER_TOKEN: 'second-secret', PLAIN: 'visible-value' });
    expect(m.mask('first-secret second-secret visible-value')).toBe('*** *** visible-value');
  });
});

describe('maskVars', () => {
  it('masks secret values wherever they appear, keeps the rest', () => {
    const out = maskVars({
      AUTH_USER: 'esb',
      AUTH_PASS: '0123456789abcdef',
      COPIED_VALUE: 'x-0123456789abcdef',
      DATABASE_URL: 'postgres://app:pw123456@db:5432/app',
      PROJECT_NAME: 'esb-e2e-docker',
    });
    expect(out).toEqual({
      AUTH_USER: 'esb',
      AUTH_PASS: '***',
      COPIED_VALUE: 'x-***',
      DATABASE_URL: 'postgres://***@db:5432/app',
      PROJECT_NAME: 'esb-e2e-docker',
    });
  });
});

it('stripAnsi removes colour and cursor sequences only', () => {
  expect(stripAnsi('\x1b[1;32mok\x1b[0m \x1b]0;title\x07plain [x]')).toBe('ok plain [x]');
});
