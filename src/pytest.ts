// The test phase: pytest with the env's explicit env plus the URLs its suite reads, and
// a parser that turns pytest's -v output into progress and counts.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dockerArgv } from './compose';
import { envListVars } from './docker-api';
import { gatewayContainer, pytestVars } from './esb';
import type { TestCounts } from './events';
import { discoverPorts } from './lifecycle';
import { display, type EnvPlan, type Plan } from './planner';
import { OK, askEngine, failed, type PhaseContext, type PhaseOutcome } from './phase';

export const PYTHON_SETTING = 'E2E_PYTHON or matrix `python`';

export function pytestArgv(plan: Plan, env: EnvPlan): string[] {
  return [
    env.python,
    '-m',
    'pytest',
    ...env.targets,
    '-v',
    ...env.excludes.flatMap((x) => ['--ignore', x]),
    ...(env.markers ? ['-m', env.markers] : []),
    '--junitxml',
    display(plan.root, env.junit),
    ...plan.pytestArgs,
  ];
}

const COLLECTED = /\bcollected (\d+) items?(?: \/ \d+ deselected \/ (\d+) selected)?/;
const RESULT = /::\S.*?\s(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)\b/;
const SUMMARY = /^=+ (.*\d+ (?:passed|failed|skipped|errors?|xfailed|xpassed|deselected|warnings?).*) in [\d.]+s.* =+$/;

/** Follows pytest's -v output: progress (current/total) and the test counts. */
export class PytestProgress {
  readonly counts: TestCounts = { collected: 0, passed: 0, failed: 0, skipped: 0, errors: 0 };
  current = 0;
  private collectedSeen = false;

  /**
   * Can any of these lines (`text`: them joined by LF) be one `push` looks at? Most output
   * is none of them: a result line has `::`, the summary `=`, and the collected line, which
   * pytest prints once, starts with "collect" (`collecting ... collected 4 items` with -v).
   * A look at each line's first letter is far cheaper than searching the text for a word
   * whose letters are everywhere.
   */
  mayMatter(text: string, lines: readonly string[]): boolean {
    if (text.includes('::') || text.includes('=')) return true;
    if (this.collectedSeen) return false;
    for (const line of lines) if (line.charCodeAt(0) === 99 /* c */ && line.startsWith('collect')) return true;
    return false;
  }

  /** Returns true when the line moved the progress. */
  push(line: string): boolean {
    // Cheap checks first: most lines are none of these.
    if (!this.mayMatter(line, [line])) return false;
    const colons = line.includes('::');
    const collected = this.collectedSeen ? null : COLLECTED.exec(line);
    if (collected) {
      this.counts.collected = Number(collected[2] ?? collected[1]);
      this.collectedSeen = true;
      return true;
    }
    const result = colons ? RESULT.exec(line) : null;
    if (result) {
      this.count(result[1]!);
      this.current++;
      return true;
    }
    const summary = SUMMARY.exec(line.trim());
    if (summary) this.fromSummary(summary[1]!);
    return false;
  }

  private count(word: string): void {
    if (word === 'PASSED' || word === 'XPASS') this.counts.passed++;
    else if (word === 'FAILED') this.counts.failed++;
    else if (word === 'ERROR') this.counts.errors++;
    else this.counts.skipped++;
  }

  /** The closing summary is the authority on counts. */
  private fromSummary(text: string): void {
    const n = (re: RegExp) => Number(re.exec(text)?.[1] ?? 0);
    this.counts.passed = n(/(\d+) passed/) + n(/(\d+) xpassed/);
    this.counts.failed = n(/(\d+) failed/);
    this.counts.skipped = n(/(\d+) skipped/) + n(/(\d+) xfailed/);
    this.counts.errors = n(/(\d+) errors?/);
  }
}

/** Variables read from the running gateway container (CONTAINERS_NETWORK, GATEWAY_INTERNAL_URL, ...). */
async function gatewayEnv(ctx: PhaseContext): Promise<Record<string, string>> {
  if (!ctx.plan.gatewayEnv) return {};
  const container = gatewayContainer(ctx.env.project);
  const asked = await askEngine(ctx, async (api) => {
    const env = await api.containerEnv(container, ctx.signal);
    ctx.trace(`env of ${container} (${api.endpoint}): ${env ? `${Object.keys(env).length} variables` : 'no such container'}`);
    return env ?? {};
  });
  if (asked) return asked;
  const result = await ctx.run(dockerArgv(ctx.env, 'inspect', '--format', '{{json .Config.Env}}', container), {
    capture: true,
    quiet: true,
  });
  if (!result.ok) return {};
  try {
    return envListVars(JSON.parse(result.stdout.trim()) as string[]);
  } catch {
    return {};
  }
}

export async function test(ctx: PhaseContext, progress: PytestProgress): Promise<PhaseOutcome> {
  if (!ctx.discovered && ctx.plan.publishedPorts.length) {
    const found = await discoverPorts(ctx);
    if (!found.ok) return found;
  }
  // A report left by an earlier run must not pass for this one's.
  const [, gateway] = await Promise.all([existsSync(ctx.env.junit) ? rm(ctx.env.junit, { force: true }) : undefined, gatewayEnv(ctx)]);
  const extra = pytestVars(ctx.vars(), gateway);
  if (ctx.signal.aborted) return { ok: false, reason: 'cancelled', cancelled: true };
  const result = await ctx.run(pytestArgv(ctx.plan, ctx.env), {
    env: extra,
    setting: PYTHON_SETTING,
    onLines: (lines, text) => {
      if (!progress.mayMatter(text, lines)) return;
      for (const line of lines) if (progress.push(line)) ctx.progress(progress.current, progress.counts.collected);
    },
  });
  if (result.ok) return OK;
  if (result.exitCode === 5) return { ok: false, reason: 'pytest collected no tests' };
  if (result.exitCode === 1) {
    const { failed: f, errors } = progress.counts;
    const parts = [f && `${f} failed`, errors && `${errors} errors`].filter(Boolean).join(', ');
    return { ok: false, reason: `pytest: ${parts || 'tests failed'}` };
  }
  return failed(result, 'pytest');
}
