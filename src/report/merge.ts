// `esb-e2e report merge <files...> [--report out.json] [--junit out.xml]`: joins what the
// shards of a fanned-out run wrote. JSON inputs (`--report` files) merge into one report,
// XML inputs (`--junit` files) into one JUnit file; each input is told apart by its
// extension, else by its first character. Bad input is a usage error (exit 2) naming the file.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { UsageError } from '../errors';
import type { Status } from '../events';
import { errorText, writeFileAtomic } from '../io/files';
import { reportText } from './json-report';
import { JunitError, junitDocument, junitSuites, type JunitSuite } from './junit-xml';
import { REPORT_SCHEMA_VERSION, reportProblems, type Report } from './schema';

export interface MergeOptions {
  readonly report?: string | undefined;
  readonly junit?: string | undefined;
}

export interface MergeIo {
  readonly cwd: string;
  readonly stdout: NodeJS.WritableStream;
}

export interface Named<T> {
  readonly file: string;
  readonly value: T;
}

/** Merged status: failed if any failed, cancelled if any was cancelled (and none failed), else passed. */
export function mergedStatus(statuses: readonly Status[]): Status {
  if (statuses.includes('failed')) return 'failed';
  if (statuses.includes('cancelled')) return 'cancelled';
  return 'passed';
}

export function mergeReports(inputs: readonly Named<Report>[]): Report {
  if (inputs.length === 0) throw new UsageError('report merge: no JSON report to merge');
  const seen = new Map<string, string>();
  for (const { file, value } of inputs) {
    for (const env of value.envs) {
      const other = seen.get(env.name);
      if (other !== undefined) throw new UsageError(`report merge: env "${env.name}" is in both ${other} and ${file} (each env must come from one shard)`);
      seen.set(env.name, file);
    }
  }
  const starts = inputs.map(({ value }) => Date.parse(value.startedAt));
  const start = Math.min(...starts);
  const end = Math.max(...inputs.map(({ value }, i) => starts[i]! + value.durationMs));
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    // The merge's own id, the same for the same shards: made of theirs.
    runId: createHash('sha256').update(inputs.map(({ value }) => value.runId).join(',')).digest('hex').slice(0, 16),
    startedAt: new Date(start).toISOString(),
    durationMs: end - start,
    status: mergedStatus(inputs.map(({ value }) => value.status)),
    signal: inputs.find(({ value }) => value.signal !== null)?.value.signal ?? null,
    envs: inputs.flatMap(({ value }) => value.envs),
  };
}

export function mergeJunitSuites(inputs: readonly Named<JunitSuite[]>[]): string {
  const seen = new Map<string, string>();
  for (const { file, value } of inputs) {
    for (const suite of value) {
      const other = seen.get(suite.name);
      if (other !== undefined) {
        throw new UsageError(
          other === file
            ? `report merge: ${file}: testsuite "${suite.name}" appears twice`
            : `report merge: testsuite "${suite.name}" is in both ${other} and ${file} (each env must come from one shard)`,
        );
      }
      seen.set(suite.name, file);
    }
  }
  return junitDocument(inputs.flatMap(({ value }) => value));
}

type Kind = 'json' | 'xml';

function kindOf(file: string, text: string): Kind {
  const ext = extname(file).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.xml') return 'xml';
  const first = text.trimStart()[0];
  if (first === '{') return 'json';
  if (first === '<') return 'xml';
  throw new UsageError(`report merge: ${file}: neither a JSON report (--report) nor a JUnit XML file (--junit)`);
}

function parseReport(file: string, text: string): Report {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`report merge: ${file}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const problems = reportProblems(value);
  if (problems) {
    const shown = problems.slice(0, 5).join('; ') + (problems.length > 5 ? `; and ${problems.length - 5} more` : '');
    throw new UsageError(`report merge: ${file}: not an esb-e2e report (schema version ${REPORT_SCHEMA_VERSION}): ${shown}`);
  }
  return value as Report;
}

function parseJunit(file: string, text: string): JunitSuite[] {
  try {
    return junitSuites(text);
  } catch (error) {
    if (error instanceof JunitError) throw new UsageError(`report merge: ${file}: ${error.message}`);
    throw error;
  }
}

interface Inputs {
  readonly reports: Named<Report>[];
  readonly junits: Named<JunitSuite[]>[];
}

/** Every input read and parsed, each to the kind its extension (or first character) says. */
function readInputs(files: readonly string[], options: MergeOptions, cwd: string): Inputs {
  const inputs: Inputs = { reports: [], junits: [] };
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(resolve(cwd, file), 'utf8');
    } catch (error) {
      throw new UsageError(`report merge: ${file}: cannot read it: ${errorText(error)}`);
    }
    if (kindOf(file, text) === 'json') {
      if (!options.report) throw new UsageError(`report merge: ${file} is a JSON report: add --report <out.json> to merge it`);
      inputs.reports.push({ file, value: parseReport(file, text) });
    } else {
      if (!options.junit) throw new UsageError(`report merge: ${file} is a JUnit file: add --junit <out.xml> to merge it`);
      inputs.junits.push({ file, value: parseJunit(file, text) });
    }
  }
  if (options.report && inputs.reports.length === 0) throw new UsageError('report merge: --report: none of the inputs is a JSON report (.json)');
  if (options.junit && inputs.junits.length === 0) throw new UsageError('report merge: --junit: none of the inputs is a JUnit file (.xml)');
  return inputs;
}

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** Runs the command; resolves to the exit code (0), throws UsageError for bad input. */
export function reportMerge(files: readonly string[], options: MergeOptions, io: MergeIo): number {
  if (!options.report && !options.junit) {
    throw new UsageError('report merge: nothing to write: give --report <out.json> for JSON reports and/or --junit <out.xml> for JUnit files');
  }
  if (files.length === 0) throw new UsageError('report merge: no input files');
  const { reports, junits } = readInputs(files, options, io.cwd);
  const outputs: Array<{ flag: string; file: string; text: string; said: string }> = [];
  if (options.report) {
    const merged = mergeReports(reports);
    const said = `${count(reports.length, 'report')}, ${count(merged.envs.length, 'env')}, ${merged.status}`;
    outputs.push({ flag: '--report', file: options.report, text: reportText(merged), said });
  }
  if (options.junit) {
    const said = `${count(junits.length, 'JUnit file')}, ${count(junits.reduce((n, j) => n + j.value.length, 0), 'testsuite')}`;
    outputs.push({ flag: '--junit', file: options.junit, text: mergeJunitSuites(junits), said });
  }
  for (const out of outputs) {
    try {
      writeFileAtomic(resolve(io.cwd, out.file), out.text);
    } catch (error) {
      throw new UsageError(`report merge: ${out.flag} ${out.file}: cannot write it: ${errorText(error)}`);
    }
    io.stdout.write(`merged ${out.said} into ${out.file}\n`);
  }
  return 0;
}
