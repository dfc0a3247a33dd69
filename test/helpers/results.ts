// Ready-made results and a string sink for reporter tests.
import { Writable } from 'node:stream';
import type { EnvResult, SuiteResult } from '../../src/events';
import { Output } from '../../src/io/console';

export function sink(): { out: Output; stream: Writable; text: () => string } {
  let buffer = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      buffer += chunk.toString();
      done();
    },
  });
  const out = new Output(stream);
  return {
    out,
    stream,
    text: () => {
      out.send();
      return buffer;
    },
  };
}

export function envResult(name: string, over: Partial<EnvResult> = {}): EnvResult {
  return {
    name,
    status: 'passed',
    durationMs: 5000,
    error: null,
    phases: [
      { name: 'reset', status: 'passed', durationMs: 1200, error: null },
      { name: 'compose', status: 'passed', durationMs: 3400, error: null },
      { name: 'deploy', status: 'passed', durationMs: 65_000, error: null },
      { name: 'test', status: 'passed', durationMs: 10_000, error: null },
    ],
    tests: { collected: 3, passed: 3, failed: 0, skipped: 0, errors: 0 },
    log: `/p/e2e/.parallel-${name}.log`,
    composeLog: null,
    junit: null,
    tail: [],
    leftUp: null,
    ...over,
  };
}

export function suite(envs: EnvResult[], over: Partial<SuiteResult> = {}): SuiteResult {
  return { runId: '0123456789abcdef', status: envs.every((e) => e.status === 'passed') ? 'passed' : 'failed', startedAt: '2026-11-25T12:00:00.000Z', durationMs: 80_000, envs, signal: null, registryUp: null, ...over };
}
