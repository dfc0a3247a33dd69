// The merged JUnit XML: pytest's own testcases per env, a failing testcase per phase that
// failed outside pytest, counts on every level, escaping and masking. Read back with
// fast-xml-parser, as a CI tool would.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { EnvResult } from '../../src/events';
import { Masker } from '../../src/mask';
import { runJunit, type RunJunitContext } from '../../src/report/junit-run';
import { caseOutcome, junitCases, junitDocument, junitSuites, parseXml, xmlSafe } from '../../src/report/junit-xml';
import { envResult, suite } from '../helpers/results';

const PYTEST = `<?xml version="1.0" encoding="utf-8"?>
<testsuites name="pytest tests"><testsuite name="pytest" errors="1" failures="1" skipped="1" tests="4" time="3.210" timestamp="2026-11-25T12:00:01.000000+00:00" hostname="runner">
<testcase classname="tests.test_gateway" name="test_health" time="0.500" />
<testcase classname="tests.test_gateway" name="test_auth[a&lt;b &amp; &quot;c&quot;]" time="1.250"><failure message="AssertionError: assert 401 == 200&#10;second line">def test_auth():
&gt;       assert r.status == 200
E       AssertionError: &lt;Response [401]&gt; &amp; more</failure><system-out><![CDATA[token=sk-live-SECRET123 <raw> & ok]]></system-out></testcase>
<testcase classname="tests.test_gateway" name="test_slow" time="0.010"><skipped type="pytest.skip" message="slow">tests/test_gateway.py:30: slow</skipped></testcase>
<testcase classname="tests.test_gateway" name="test_fixture" time="0.020"><error message="failed on setup with &quot;boom&quot;">fixture boom</error></testcase>
</testsuite></testsuites>
`;

const PASSING = `<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" tests="2"><testcase classname="t" name="a" time="0.1"/><testcase classname="t" name="b" time="0.2"/></testsuite></testsuites>`;

interface Parsed {
  testsuites: Record<string, string> & {
    testsuite: Array<Record<string, string> & { testcase?: Array<Record<string, unknown>> }>;
  };
}

/** What a CI tool sees: fast-xml-parser, XML entities and character references decoded. */
function readBack(xml: string): Parsed {
  expect(XMLValidator.validate(xml)).toBe(true);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseAttributeValue: false,
    parseTagValue: false,
    htmlEntities: true,
    isArray: (name) => name === 'testsuite' || name === 'testcase',
  });
  return parser.parse(xml) as Parsed;
}

function ctx(files: Record<string, string> = {}, secrets: string[] = []): RunJunitContext {
  const masker = new Masker(secrets);
  return { root: '/p', mask: (s) => masker.mask(s), read: (path) => files[path] };
}

/** Counts stated on a testsuite equal what it holds; testsuites' are the sums. */
function expectConsistentCounts(doc: Parsed): void {
  const total = { tests: 0, failures: 0, errors: 0, skipped: 0, time: 0 };
  for (const s of doc.testsuites.testsuite) {
    const cases = s.testcase ?? [];
    const has = (c: Record<string, unknown>, k: string) => c[k] !== undefined;
    const failures = cases.filter((c) => has(c, 'failure')).length;
    const errors = cases.filter((c) => !has(c, 'failure') && has(c, 'error')).length;
    const skipped = cases.filter((c) => !has(c, 'failure') && !has(c, 'error') && has(c, 'skipped')).length;
    const time = cases.reduce((t, c) => t + Number(c.time ?? 0), 0);
    expect(Number(s.tests)).toBe(cases.length);
    expect(Number(s.failures)).toBe(failures);
    expect(Number(s.errors)).toBe(errors);
    expect(Number(s.skipped)).toBe(skipped);
    expect(Number(s.time)).toBeCloseTo(time, 3);
    total.tests += cases.length;
    total.failures += failures;
    total.errors += errors;
    total.skipped += skipped;
    total.time += Number(s.time);
  }
  expect(Number(doc.testsuites.tests)).toBe(total.tests);
  expect(Number(doc.testsuites.failures)).toBe(total.failures);
  expect(Number(doc.testsuites.errors)).toBe(total.errors);
  expect(Number(doc.testsuites.skipped)).toBe(total.skipped);
  expect(Number(doc.testsuites.time)).toBeCloseTo(total.time, 3);
}

const deployFailed = (name: string, over: Partial<EnvResult> = {}) =>
  envResult(name, {
    status: 'failed',
    error: 'deploy: esb exited with code 3',
    phases: [
      { name: 'reset', status: 'passed', durationMs: 1000, error: null },
      { name: 'compose', status: 'passed', durationMs: 2000, error: null },
      { name: 'deploy', status: 'failed', durationMs: 4500, error: 'esb exited with code 3' },
      { name: 'test', status: 'skipped', durationMs: 0, error: null },
    ],
    tests: { collected: 0, passed: 0, failed: 0, skipped: 0, errors: 0 },
    composeLog: `/p/e2e/.parallel-${name}.compose.log`,
    tail: ['$ esb deploy', 'building <image> & "pushing"', 'deploy exploded'],
    ...over,
  });

describe('a run: one <testsuite> per env', () => {
  it("holds pytest's own testcases, with counts from what it holds, and a failing testcase for a phase that failed before tests ran", () => {
    const result = suite([envResult('alpha', { junit: '/p/e2e/.junit-alpha.xml' }), deployFailed('beta')]);
    const xml = runJunit(result, ctx({ '/p/e2e/.junit-alpha.xml': PYTEST }, ['sk-live-SECRET123']));
    const doc = readBack(xml);
    expect(doc.testsuites.name).toBe('esb-e2e');
    expect(doc.testsuites.testsuite.map((s) => s.name)).toEqual(['alpha', 'beta']);
    const [alpha, beta] = doc.testsuites.testsuite;
    expect(alpha).toMatchObject({ tests: '4', failures: '1', errors: '1', skipped: '1', time: '1.780' });
    expect(alpha!.timestamp).toBeUndefined();
    expect(alpha!.testcase!.map((c) => c.name)).toEqual(['test_health', 'test_auth[a<b & "c"]', 'test_slow', 'test_fixture']);
    const auth = alpha!.testcase![1] as { failure: { message: string; '#text': string }; 'system-out': string };
    expect(auth.failure.message).toBe('AssertionError: assert 401 == 200\nsecond line');
    expect(auth.failure['#text']).toBe('def test_auth():\n>       assert r.status == 200\nE       AssertionError: <Response [401]> & more');
    // Secrets are masked in pytest's output too.
    expect(auth['system-out']).toBe('token=*** <raw> & ok');
    expect(xml).not.toContain('SECRET123');

    expect(beta).toMatchObject({ tests: '1', failures: '1', errors: '0', skipped: '0', time: '4.500' });
    const failing = beta!.testcase![0] as { classname: string; name: string; failure: { message: string; '#text': string } };
    expect(failing.classname).toBe('esb-e2e.beta');
    expect(failing.name).toBe('deploy');
    expect(failing.failure.message).toBe('esb exited with code 3');
    expect(failing.failure['#text']).toContain('beta: deploy failed: esb exited with code 3');
    expect(failing.failure['#text']).toContain('log: e2e/.parallel-beta.log');
    expect(failing.failure['#text']).toContain("containers' state and logs: e2e/.parallel-beta.compose.log");
    expect(failing.failure['#text']).toContain('building <image> & "pushing"\ndeploy exploded');
    expect(doc.testsuites).toMatchObject({ tests: '5', failures: '2', errors: '1', skipped: '1' });
    expectConsistentCounts(doc);
  });

  it('a cancelled env: a failing testcase for the cancelled phase, or "start" when it never started', () => {
    const running = envResult('alpha', {
      status: 'cancelled',
      error: 'cancelled',
      phases: [
        { name: 'reset', status: 'passed', durationMs: 1000, error: null },
        { name: 'compose', status: 'cancelled', durationMs: 700, error: 'cancelled' },
        { name: 'deploy', status: 'skipped', durationMs: 0, error: null },
        { name: 'test', status: 'skipped', durationMs: 0, error: null },
        { name: 'cleanup', status: 'passed', durationMs: 300, error: null },
      ],
    });
    const queued = envResult('beta', {
      status: 'cancelled',
      error: 'cancelled before it started',
      phases: ['reset', 'compose', 'deploy', 'test'].map((name) => ({ name: name as 'reset', status: 'skipped' as const, durationMs: 0, error: null })),
    });
    const doc = readBack(runJunit(suite([running, queued], { status: 'cancelled' }), ctx()));
    const [a, b] = doc.testsuites.testsuite;
    expect(a!.testcase!.map((c) => [c.name, (c.failure as { message: string }).message])).toEqual([['compose', 'cancelled']]);
    expect(b!.testcase!.map((c) => [c.name, (c.failure as { message: string }).message])).toEqual([['start', 'cancelled before it started']]);
    expectConsistentCounts(doc);
  });

  it("a test phase that failed with no JUnit file of this run (timed out) gets a failing 'test' case saying so", () => {
    const timedOut = envResult('alpha', {
      status: 'failed',
      error: 'test: timed out after 1s',
      junit: '/p/e2e/.junit-alpha.xml',
      phases: [
        { name: 'reset', status: 'passed', durationMs: 1, error: null },
        { name: 'compose', status: 'passed', durationMs: 1, error: null },
        { name: 'deploy', status: 'passed', durationMs: 1, error: null },
        { name: 'test', status: 'failed', durationMs: 1000, error: 'timed out after 1s' },
      ],
    });
    const doc = readBack(runJunit(suite([timedOut]), ctx()));
    const c = doc.testsuites.testsuite[0]!.testcase![0] as { name: string; failure: { message: string } };
    expect(c.name).toBe('test');
    expect(c.failure.message).toBe('timed out after 1s (pytest wrote no JUnit file (e2e/.junit-alpha.xml))');
  });

  it("a test phase whose failures pytest reports adds nothing; pytest's exit without failing cases (no tests collected) does", () => {
    const failing = `<testsuites><testsuite name="pytest"><testcase classname="t" name="x" time="0.1"><failure message="no">x</failure></testcase></testsuite></testsuites>`;
    const testFailed = (name: string) =>
      envResult(name, {
        status: 'failed',
        error: 'test: pytest exited with code 1',
        junit: `/p/e2e/.junit-${name}.xml`,
        phases: [{ name: 'test', status: 'failed', durationMs: 100, error: 'pytest exited with code 1' }],
      });
    const doc = readBack(
      runJunit(suite([testFailed('alpha'), testFailed('beta')]), ctx({ '/p/e2e/.junit-alpha.xml': failing, '/p/e2e/.junit-beta.xml': '<testsuites><testsuite name="pytest" tests="0"/></testsuites>' })),
    );
    expect(doc.testsuites.testsuite[0]!.testcase!.map((c) => c.name)).toEqual(['x']);
    expect(doc.testsuites.testsuite[1]!.testcase!.map((c) => c.name)).toEqual(['test']);
    expectConsistentCounts(doc);
  });

  it('a cleanup that failed after the tests passed is shown next to them', () => {
    const env = envResult('alpha', {
      status: 'failed',
      error: 'cleanup: compose down exited with code 1',
      junit: '/p/e2e/.junit-alpha.xml',
      phases: [
        { name: 'test', status: 'passed', durationMs: 100, error: null },
        { name: 'cleanup', status: 'failed', durationMs: 200, error: 'compose down exited with code 1' },
      ],
    });
    const doc = readBack(runJunit(suite([env]), ctx({ '/p/e2e/.junit-alpha.xml': PASSING })));
    expect(doc.testsuites.testsuite[0]!.testcase!.map((c) => c.name)).toEqual(['a', 'b', 'cleanup']);
    expect(doc.testsuites.testsuite[0]).toMatchObject({ tests: '3', failures: '1' });
  });

  it('a broken pytest JUnit file is named in the failing test case', () => {
    const env = envResult('alpha', {
      status: 'failed',
      error: 'test: pytest exited with code 2',
      junit: '/p/e2e/.junit-alpha.xml',
      phases: [{ name: 'test', status: 'failed', durationMs: 1, error: 'pytest exited with code 2' }],
    });
    const doc = readBack(runJunit(suite([env]), ctx({ '/p/e2e/.junit-alpha.xml': '<testsuites><testsuite>' })));
    const c = doc.testsuites.testsuite[0]!.testcase![0] as { failure: { message: string } };
    expect(c.failure.message).toMatch(/^pytest exited with code 2 \(pytest's JUnit file e2e\/\.junit-alpha\.xml is not valid XML: /);
  });

  it('an env with no test phase output and no failure is an empty suite', () => {
    const doc = readBack(runJunit(suite([envResult('alpha')]), ctx()));
    expect(doc.testsuites.testsuite[0]).toMatchObject({ name: 'alpha', tests: '0', failures: '0', errors: '0', skipped: '0', time: '0.000' });
  });
});

describe('escaping', () => {
  it('escapes <, &, quotes and newlines in text and attributes, and never writes a character XML 1.0 forbids', () => {
    const nasty = 'a<b & c>d "q" \'s\'\ttab\r\nline\x1b[31mred\x1b[0m bell\x07 nul\x00 vt\x0b ff\x0c \uFFFE lone\uD800 ok\u{1F600}';
    const env = deployFailed('alpha', { tail: [nasty], phases: [{ name: 'deploy', status: 'failed', durationMs: 1, error: nasty }] });
    const xml = runJunit(suite([env]), ctx());
    // No raw forbidden character anywhere (XMLValidator does not check this).
    expect(xml).not.toMatch(/[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/);
    expect(xml).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(xml).not.toContain('\x1b');
    const c = readBack(xml).testsuites.testsuite[0]!.testcase![0] as { failure: { message: string; '#text': string } };
    const shown = 'a<b & c>d "q" \'s\'\ttab\r\nlinered bell\\x07 nul\\x00 vt\\x0b ff\\x0c \uFFFD lone\uFFFD ok\u{1F600}';
    expect(c.failure.message).toBe(shown);
    expect(c.failure['#text']).toContain(shown);
  });

  it('xmlSafe keeps tab, newline, carriage return and valid surrogate pairs', () => {
    expect(xmlSafe('a\tb\nc\rd \u{1F600}')).toBe('a\tb\nc\rd \u{1F600}');
    expect(xmlSafe('\x01\x1f')).toBe('\\x01\\x1f');
  });

  it('our own reader gets back exactly what was written', () => {
    const text = 'x < y && "z" \'w\'\n\tend\r';
    const xml = junitDocument([{ name: 'alpha', cases: [{ name: 'testcase', attrs: { classname: 'c', name: text, time: '0.5' }, children: [{ name: 'system-out', attrs: {}, children: [{ text }] }] }] }]);
    const [c] = junitCases(xml);
    expect(c!.attrs.name).toBe(text);
    expect(c!.children).toEqual([{ name: 'system-out', attrs: {}, children: [{ text }] }]);
  });
});

describe('reading', () => {
  it("finds pytest's testcases under <testsuites> or a bare <testsuite>, decoding entities and CDATA once", () => {
    const cases = junitCases(PYTEST);
    expect(cases.map((c) => caseOutcome(c))).toEqual(['passed', 'failure', 'skipped', 'error']);
    const bare = junitCases('<testsuite name="pytest"><testcase classname="t" name="&amp;lt;" time="1"><system-out><![CDATA[&lt;]]></system-out></testcase></testsuite>');
    expect(bare[0]!.attrs.name).toBe('&lt;');
    expect(bare[0]!.children).toEqual([{ name: 'system-out', attrs: {}, children: [{ text: '&lt;' }] }]);
  });

  it('rejects what is not XML, or not JUnit, with the place', () => {
    expect(() => parseXml('<a><b></a>')).toThrow(/^not valid XML: line 1, column \d+: /);
    expect(() => junitCases('<html/>')).toThrow('not a JUnit report: the root element is <html>, not <testsuites> or <testsuite>');
  });

  it('junitSuites reads back a merged file: names, cases, and the timestamp/hostname of the suites', () => {
    const xml = junitDocument([
      { name: 'alpha', cases: junitCases(PASSING), attrs: { hostname: 'h1' } },
      { name: 'beta', cases: [] },
    ]);
    const suites = junitSuites(xml);
    expect(suites.map((s) => [s.name, s.cases.length, s.attrs])).toEqual([
      ['alpha', 2, { hostname: 'h1' }],
      ['beta', 0, {}],
    ]);
  });
});
