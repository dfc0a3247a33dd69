// Property: whatever text a matrix or a .env holds, loading it ends in a result or in a
// ConfigError (the CLI's exit-2 message, every line naming the file), never in any other
// exception, a hang, or a crash. Inputs: arbitrary text, arbitrary YAML of arbitrary
// values, matrices built near the real shape, .env files full of references, raw bytes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ConfigError } from '../../src/errors';
import { UnreadableFile, decodeText } from '../../src/io/reader';
import { mergeLayers, parseEnvFile } from '../../src/plan/env';
import { parseMatrix } from '../../src/plan/matrix';

function endsWell(load: () => unknown, file: string): void {
  try {
    load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const line of error.message.split('\n')) expect(line.startsWith(`${file}: `) || /^[^:]+:\d+:\d+: /.test(line) || line.startsWith('... and ')).toBe(true);
  }
}

const name = fc.stringMatching(/^[a-z0-9_${}:.-]{0,12}$/);
const scalar = fc.oneof(name, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const nearMatrix = fc.record(
  {
    suites: fc.dictionary(name, fc.record({ targets: fc.oneof(fc.array(name), scalar), markers: fc.oneof(name, scalar) }, { requiredKeys: [] })),
    matrix: fc.array(
      fc.record(
        {
          env: fc.oneof(name, scalar),
          esb_env: name,
          suites: fc.oneof(fc.array(name), scalar),
          env_vars: fc.dictionary(name, scalar),
          timeouts: fc.dictionary(fc.constantFrom('reset', 'compose', 'deploy', 'test', 'x'), fc.oneof(fc.double(), fc.integer())),
          wait: fc.array(fc.record({ url: name, timeout: scalar })),
        },
        { requiredKeys: [] },
      ),
    ),
    infra: fc.oneof(fc.constant(false), fc.record({ compose_file: name, ready_timeout: scalar }, { requiredKeys: [] })),
    port_base: scalar,
    port_block: scalar,
  },
  { requiredKeys: [] },
);

describe('the matrix loader', () => {
  it('any text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => endsWell(() => parseMatrix(text, 'm.yaml'), 'm.yaml')), { numRuns: 500 });
  });

  it('any YAML value', () => {
    fc.assert(fc.property(fc.anything(), (value) => endsWell(() => parseMatrix(String(stringify(value) ?? ''), 'm.yaml'), 'm.yaml')), { numRuns: 300 });
  });

  it('matrices near the real shape, with anchors and aliases', () => {
    fc.assert(
      fc.property(nearMatrix, fc.nat(5), (matrix, repeats) => {
        const text = stringify(matrix) + (repeats ? `x: &a [${'y, '.repeat(repeats)}y]\nz: [${'*a, '.repeat(repeats)}*a]\n` : '');
        endsWell(() => parseMatrix(text, 'm.yaml'), 'm.yaml');
      }),
      { numRuns: 500 },
    );
  });
});

describe('the .env loader', () => {
  const line = fc.oneof(
    fc.tuple(fc.stringMatching(/^[A-Z_]{1,3}$/), fc.stringMatching(/^(\$\{[A-Z_]{1,3}(:?-[a-z${}]{0,4})?\}|[a-z$(){}` ]){0,6}$/)).map(([k, v]) => `${k}=${v}`),
    fc.string({ maxLength: 30 }),
  );
  it('any lines, references to anything (cycles, missing keys, nested defaults)', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), (lines) =>
        endsWell(() => mergeLayers([{ vars: parseEnvFile(lines.join('\n')), where: (k) => `e.env: ${k}`, interpolate: true }]), 'e.env'),
      ),
      { numRuns: 800 },
    );
  });
});

describe('reading text', () => {
  it('any bytes decode to text or are refused as not UTF-8', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          expect(typeof decodeText(bytes)).toBe('string');
        } catch (error) {
          expect(error).toBeInstanceOf(UnreadableFile);
        }
      }),
      { numRuns: 800 },
    );
  });
});
