// src/env.ts: dotenv parsing (no expansion, nothing executed), layered merge with
// interpolation, `${...}` expansion rules and errors.
import { describe, expect, it } from 'vitest';
import { expand, filterVars, mergeLayers, parseEnvFile, type Layer, type Vars } from '../../src/plan/env';
import { ConfigError } from '../../src/errors';

const layer = (name: string, vars: Vars, interpolate = true): Layer => ({ vars, where: (k) => `${name}: ${k}`, interpolate });

describe('parseEnvFile', () => {
  it('parses keys, comments, quotes, export and blank values like dotenv', () => {
    const vars = parseEnvFile(
      [
        '# a comment',
        'A=1',
        'B="two words" # trailing comment',
        "C='single quoted'",
        'export D=exported',
        'E=',
        'F=  padded  ',
        'G=a=b=c',
        'H="multi',
        'line"',
        '',
        'PORT_GATEWAY_HTTPS=0',
      ].join('\n'),
    );
    expect(vars).toEqual({
      A: '1',
      B: 'two words',
      C: 'single quoted',
      D: 'exported',
      E: '',
      F: 'padded',
      G: 'a=b=c',
      H: 'multi\nline',
      PORT_GATEWAY_HTTPS: '0',
    });
  });

  it('does not expand references', () => {
    expect(parseEnvFile('A=1\nB=${A}\nC=$A\nD=${A:-x}\n')).toEqual({ A: '1', B: '${A}', C: '$A', D: '${A:-x}' });
  });

  it('does not execute $(...) or backticks', () => {
    const vars = parseEnvFile('CMD=$(id -u)\nQUOTED="$(echo pwned)"\nMID=a`id`b\nTICKS=`id`\n');
    expect(vars.CMD).toBe('$(id -u)');
    expect(vars.QUOTED).toBe('$(echo pwned)');
    expect(vars.MID).toBe('a`id`b');
    // dotenv reads a fully backticked value as a quoted string: the text, never a command's output
    expect(vars.TICKS).toBe('id');
  });

  it('reads the legacy ESB env file format', () => {
    const vars = parseEnvFile('# E2E\nESB_ENV=e2e-docker\n# AUTH_USER=test-admin\nPORT_REGISTRY=5010\nCIRCUIT_BREAKER_RECOVERY_TIMEOUT=10.0\n');
    expect(vars).toEqual({ ESB_ENV: 'e2e-docker', PORT_REGISTRY: '5010', CIRCUIT_BREAKER_RECOVERY_TIMEOUT: '10.0' });
    expect(vars.AUTH_USER).toBeUndefined();
  });
});

describe('expand', () => {
  const vars: Record<string, string> = { A: 'a', EMPTY: '' };
  const lookup = (name: string) => vars[name];

  it('${VAR}', () => {
    expect(expand('x-${A}-y', lookup, 'w')).toBe('x-a-y');
  });

  it('${VAR:-default}: unset or empty takes the default', () => {
    expect(expand('${NOPE:-d}', lookup, 'w')).toBe('d');
    expect(expand('${EMPTY:-d}', lookup, 'w')).toBe('d');
    expect(expand('${A:-d}', lookup, 'w')).toBe('a');
  });

  it('${VAR-default}: only unset takes the default', () => {
    expect(expand('${NOPE-d}', lookup, 'w')).toBe('d');
    expect(expand('[${EMPTY-d}]', lookup, 'w')).toBe('[]');
  });

  it('defaults may hold references and be empty', () => {
    expect(expand('${NOPE:-${A}}', lookup, 'w')).toBe('a');
    expect(expand('[${NOPE:-}]', lookup, 'w')).toBe('[]');
  });

  it('an undefined reference without a default names the place', () => {
    expect(() => expand('${NOPE}', lookup, 'file.yaml: X')).toThrow(ConfigError);
    expect(() => expand('${NOPE}', lookup, 'file.yaml: X')).toThrow('file.yaml: X: ${NOPE} has no value and no default');
  });

  it('leaves $VAR, $(...), backticks and malformed references alone', () => {
    expect(expand('$A $(id) `id` ${A ${1BAD}', lookup, 'w')).toBe('$A $(id) `id` ${A ${1BAD}');
  });
});

describe('mergeLayers', () => {
  it('later layers win', () => {
    const merged = mergeLayers([layer('one', { A: '1', B: '1', C: '1' }), layer('two', { B: '2', C: '2' }), layer('three', { C: '3' })]);
    expect(merged).toEqual({ A: '1', B: '2', C: '3' });
  });

  it('interpolates against the merged result, whatever layer holds the reference', () => {
    const merged = mergeLayers([
      layer('base', { HOST: 'h' }, false),
      layer('file', { URL: 'http://${HOST}:${PORT}/' }),
      layer('managed', { PORT: '33000' }, false),
    ]);
    expect(merged.URL).toBe('http://h:33000/');
  });

  it('a reference sees the winning value of a key', () => {
    const merged = mergeLayers([layer('a', { X: 'old', Y: '${X}' }), layer('b', { X: 'new' })]);
    expect(merged.Y).toBe('new');
  });

  it('non-interpolating layers keep ${...} as written', () => {
    const merged = mergeLayers([layer('base', { RAW: '${NOT_THERE}' }, false), layer('env', { OK: 'x' })]);
    expect(merged.RAW).toBe('${NOT_THERE}');
  });

  it('a value referencing a non-interpolated value gets it verbatim', () => {
    const merged = mergeLayers([layer('base', { RAW: '${LITERAL}' }, false), layer('env', { COPY: '<${RAW}>' })]);
    expect(merged.COPY).toBe('<${LITERAL}>');
  });

  it('chains resolve in any order', () => {
    const merged = mergeLayers([layer('env', { C: '${B}c', B: '${A}b', A: 'a' })]);
    expect(merged).toEqual({ A: 'a', B: 'ab', C: 'abc' });
  });

  it('a cycle is a ConfigError naming the key, its layer and the chain', () => {
    const run = () => mergeLayers([layer('m.yaml: env_vars', { A: '${B}', B: '${C}', C: '${A}' })]);
    expect(run).toThrow(ConfigError);
    expect(run).toThrow('m.yaml: env_vars: A: reference cycle A -> B -> C -> A');
  });

  it('a self reference is a cycle', () => {
    expect(() => mergeLayers([layer('--set', { X: 'pre-${X}' })])).toThrow('--set: X: reference cycle X -> X');
  });

  it('an undefined reference names the key of the layer that holds it', () => {
    expect(() => mergeLayers([layer('base', { A: '1' }, false), layer('e2e/.env', { B: '${NOPE}' })])).toThrow(
      'e2e/.env: B: ${NOPE} has no value and no default',
    );
  });

  it('a default avoids the undefined reference error', () => {
    expect(mergeLayers([layer('env', { B: '${NOPE:-fallback}' })]).B).toBe('fallback');
  });
});

describe('filterVars', () => {
  it('keeps accepted keys and drops undefined values', () => {
    expect(filterVars({ A: '1', B: undefined, C: '3', D: '' }, (k) => k !== 'C')).toEqual({ A: '1', D: '' });
  });

  it('returns a new object and leaves the input alone', () => {
    const input = { A: '1' };
    const out = filterVars(input, () => true);
    out.A = 'changed';
    expect(input.A).toBe('1');
  });
});
