// A run's JUnit: one <testsuite name="<env>"> per env with pytest's own <testcase>
// elements from its JUnit file (masked), plus one failing <testcase
// classname="esb-e2e.<env>" name="<phase>"> saying why, when a phase failed outside pytest.
import type { EnvResult, PhaseResult, SuiteResult } from '../events';
import { display } from '../format';
import type { Mask } from './json-report';
import { caseOutcome, element, junitCases, junitDocument, mapStrings, seconds, type JunitSuite, type XElement } from './junit-xml';

export interface RunJunitContext {
  readonly root: string;
  readonly mask: Mask;
  /** pytest's JUnit file of an env: its text, or undefined when it is missing or from an older run. */
  readonly read: (path: string) => string | undefined;
  readonly tailLines?: number;
}

/** One failing testcase that says why an env failed outside pytest. */
export function phaseCase(env: EnvResult, phase: string, reason: string, durationMs: number, ctx: Pick<RunJunitContext, 'root' | 'tailLines'>): XElement {
  const tail = env.tail.slice(-(ctx.tailLines ?? 40));
  const lines = [
    `${env.name}: ${phase} ${reason === 'cancelled' ? 'cancelled' : `failed: ${reason}`}`,
    ...(env.log ? [`log: ${display(ctx.root, env.log)}`] : []),
    ...(env.composeLog ? [`containers' state and logs: ${display(ctx.root, env.composeLog)}`] : []),
    ...(tail.length ? ['', `--- last ${tail.length} lines of the log ---`, ...tail] : []),
  ];
  return element('testcase', { classname: `esb-e2e.${env.name}`, name: phase, time: seconds(Math.max(0, durationMs) / 1000) }, [
    element('failure', { message: reason, type: phase === 'test' ? 'TestPhaseFailure' : 'PhaseFailure' }, [{ text: lines.join('\n') }]),
  ]);
}

function brokenPhases(env: EnvResult): PhaseResult[] {
  return env.phases.filter((p) => p.status === 'failed' || p.status === 'cancelled');
}

/** The <testsuite> of one env: pytest's cases, plus a failing case per phase that failed outside them. */
export function envSuite(env: EnvResult, ctx: RunJunitContext): JunitSuite {
  let cases: XElement[] = [];
  let problem: string | null = null;
  if (env.junit) {
    const text = ctx.read(env.junit);
    const shown = display(ctx.root, env.junit);
    if (text === undefined) problem = `pytest wrote no JUnit file (${shown})`;
    else {
      try {
        cases = junitCases(text).map((c) => mapStrings(c, ctx.mask));
      } catch (e) {
        problem = `pytest's JUnit file ${shown} is ${e instanceof Error ? e.message : String(e)}`;
      }
    }
  }
  const pytestFailed = cases.some((c) => caseOutcome(c) === 'failure' || caseOutcome(c) === 'error');
  const extra: XElement[] = [];
  for (const phase of brokenPhases(env)) {
    // A failed test phase is shown by pytest's own failing cases when there are any.
    if (phase.name === 'test' && phase.status === 'failed' && pytestFailed) continue;
    let reason = phase.status === 'cancelled' ? 'cancelled' : (phase.error ?? 'failed');
    if (phase.name === 'test' && problem) reason = `${reason} (${problem})`;
    extra.push(phaseCase(env, phase.name, ctx.mask(reason), phase.durationMs, ctx));
  }
  if (extra.length === 0 && env.status !== 'passed' && !pytestFailed) {
    // Failed or cancelled before any phase ran (e.g. `cancelled before it started`).
    extra.push(phaseCase(env, 'start', ctx.mask(env.error ?? env.status), 0, ctx));
  }
  return { name: env.name, cases: [...cases, ...extra] };
}

export function runJunit(result: SuiteResult, ctx: RunJunitContext): string {
  return junitDocument(result.envs.map((env) => envSuite(env, ctx)));
}
