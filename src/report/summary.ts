// The end-of-run summary: one row per env (status, each phase's duration, tests, log) and,
// for each failed env, why and the last lines of its log. Plain text and markdown.
import type { EnvResult, PhaseId, SuiteResult } from '../events';
import { display, duration, table } from '../format';

const COLUMNS: readonly PhaseId[] = ['reset', 'compose', 'deploy', 'test', 'cleanup'];

function phaseCell(env: EnvResult, phase: PhaseId): string {
  const p = env.phases.find((x) => x.name === phase);
  if (!p || p.status === 'skipped') return '-';
  const mark = p.status === 'failed' ? '!' : p.status === 'cancelled' ? '~' : '';
  return `${mark}${duration(p.durationMs)}`;
}

export function testsCell(env: EnvResult): string {
  const t = env.tests;
  const parts = [`${t.passed} passed`];
  if (t.failed) parts.push(`${t.failed} failed`);
  if (t.errors) parts.push(`${t.errors} errors`);
  if (t.skipped) parts.push(`${t.skipped} skipped`);
  return t.collected || t.passed || t.failed || t.errors ? parts.join(', ') : '-';
}

function rows(result: SuiteResult, root: string, columns: readonly PhaseId[]): string[][] {
  return result.envs.map((env) => [
    env.name,
    env.status,
    ...columns.map((c) => phaseCell(env, c)),
    testsCell(env),
    env.log ? display(root, env.log) : '-',
  ]);
}

/** The phase columns of a summary: cleanup only when an env had one. */
export function usedColumns(result: SuiteResult): PhaseId[] {
  return COLUMNS.filter((c) => c !== 'cleanup' || result.envs.some((e) => e.phases.some((p) => p.name === 'cleanup')));
}

export function summaryText(result: SuiteResult, root: string, tailLines = 40): string {
  if (result.envs.length === 0) return 'no env ran\n';
  const columns = usedColumns(result);
  const lines = table(['env', 'status', ...columns, 'tests', 'log'], rows(result, root, columns));
  const failed = result.envs.filter((e) => e.status === 'failed');
  for (const env of failed) {
    lines.push('', `${env.name} failed: ${env.error ?? 'unknown reason'}`);
    if (env.composeLog) lines.push(`  containers' state and logs: ${display(root, env.composeLog)}`);
    if (env.tail.length) {
      const tail = env.tail.slice(-tailLines);
      lines.push(`--- last ${tail.length} lines of ${env.log ? display(root, env.log) : 'its log'} ---`, ...tail, '---');
    }
  }
  const counts = ['passed', 'failed', 'cancelled'].map((s) => `${result.envs.filter((e) => e.status === s).length} ${s}`);
  lines.push('', `${result.status === 'passed' ? 'PASSED' : result.status === 'cancelled' ? 'CANCELLED' : 'FAILED'}: ${counts.join(', ')} in ${duration(result.durationMs)}`);
  const up = stillUp(result);
  if (up) lines.push(up);
  return lines.join('\n') + '\n';
}

/** One line: what the run left running, and how to stop it; null when nothing is. */
export function stillUp(result: SuiteResult): string | null {
  const projects = result.envs.flatMap((e) => (e.leftUp ? [e.leftUp] : []));
  const what = [...projects, ...(result.registryUp ? [`the registry (${result.registryUp})`] : [])];
  if (what.length === 0) return null;
  const list = what.length === 1 ? what[0] : `${what.slice(0, -1).join(', ')} and ${what.at(-1)}`;
  return `Still up: ${list}; \`esb-e2e down\` stops ${what.length === 1 ? 'it' : 'them'}.`;
}

export function summaryMarkdown(result: SuiteResult, root: string): string {
  const columns = usedColumns(result);
  const head = ['env', 'status', ...columns, 'tests', 'log'];
  const escape = (s: string) => s.replace(/\|/g, '\\|');
  const lines = [
    `### esb-e2e: ${result.status}`,
    '',
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows(result, root, columns).map((r) => `| ${r.map(escape).join(' | ')} |`),
  ];
  for (const env of result.envs.filter((e) => e.status === 'failed')) {
    lines.push('', `**${env.name}** failed: ${escape(env.error ?? 'unknown reason')}`);
  }
  return lines.join('\n') + '\n';
}
