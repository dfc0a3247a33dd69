// src/errors.ts: error classes (exit code 2) and the "did you mean" helpers.
import { describe, expect, it } from 'vitest';
import { ConfigError, UsageError, nearest, unknownName } from '../src/errors';

describe('error classes', () => {
  it('ConfigError: exit code 2, its own name, the message as given', () => {
    const e = new ConfigError('m.yaml: matrix: is required');
    expect(e).toBeInstanceOf(Error);
    expect(e.exitCode).toBe(2);
    expect(e.name).toBe('ConfigError');
    expect(e.message).toBe('m.yaml: matrix: is required');
  });

  it('UsageError is a ConfigError with exit code 2', () => {
    const e = new UsageError('--jobs: bad');
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.exitCode).toBe(2);
    expect(e.name).toBe('UsageError');
  });
});

describe('nearest', () => {
  const known = ['smoke', 'standard', 'autoscaling'];

  it('finds a likely typo', () => {
    expect(nearest('smok', known)).toBe('smoke');
    expect(nearest('standrad', known)).toBe('standard');
    expect(nearest('suits', ['env', 'suites', 'env_vars'])).toBe('suites');
  });

  it('ignores case', () => {
    expect(nearest('SMOKE', known)).toBe('smoke');
  });

  it('returns nothing when no name is close', () => {
    expect(nearest('zzzzzzzz', known)).toBeUndefined();
    expect(nearest('x', [])).toBeUndefined();
  });

  it('allows more edits for longer names', () => {
    // 3 edits on a 9+ character word is within length/3
    expect(nearest('autoscalxxx', known)).toBe('autoscaling');
    expect(nearest('abcdef', ['abcxyz'])).toBeUndefined();
  });

  it('picks the closest of several candidates', () => {
    expect(nearest('e2e-dockr', ['e2e-containerd', 'e2e-docker'])).toBe('e2e-docker');
  });
});

describe('unknownName', () => {
  it('with a suggestion', () => {
    expect(unknownName('suite', 'smok', ['smoke', 'standard'])).toBe('unknown suite "smok" (did you mean "smoke"? known: smoke, standard)');
  });

  it('without a suggestion', () => {
    expect(unknownName('env', 'nope', ['e2e-docker', 'e2e-containerd'])).toBe('unknown env "nope" (known: e2e-docker, e2e-containerd)');
  });

  it('with nothing known', () => {
    expect(unknownName('env', 'a', [])).toBe('unknown env "a" (known: none)');
  });
});
