// JUnit XML as data: parsing a JUnit document (pytest's per-env files, shards' merged
// files) into elements, counting test cases, and building a merged document with the
// counts added up again. Pure: file contents come in and go out as strings.
// fast-xml-parser parses and builds; escaping of text and attributes, and the characters
// XML 1.0 forbids, are handled here.
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { stripAnsi } from '../mask';

export interface XElement {
  name: string;
  attrs: Record<string, string>;
  children: XChild[];
}
export type XChild = XElement | { text: string };

export interface JunitSuite {
  readonly name: string;
  readonly cases: readonly XElement[];
  /** Extra attributes kept from an input <testsuite> (timestamp, hostname). */
  readonly attrs?: Readonly<Record<string, string>>;
}

export class JunitError extends Error {}

const isElement = (c: XChild): c is XElement => 'name' in c;

// ---------------------------------------------------------------- parsing

// Made on first use: `plan` and `run` without --junit never pay for them at start-up.
let parserInstance: XMLParser | undefined;
const parser = (): XMLParser => (parserInstance ??= new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Entities are decoded below (numeric ones too, which the parser leaves alone by default);
  // CDATA is kept apart so that its text is not decoded twice.
  processEntities: false,
  cdataPropName: '#cdata',
}));

const ENTITY = /&(?:#x([0-9a-fA-F]+)|#([0-9]+)|(lt|gt|amp|quot|apos));/g;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ENTITY, (whole, hex: string | undefined, dec: string | undefined, name: string | undefined) => {
    if (name) return NAMED[name]!;
    const code = hex !== undefined ? parseInt(hex, 16) : Number(dec);
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

type Ordered = Record<string, unknown>;

function fromOrdered(nodes: unknown): XChild[] {
  if (!Array.isArray(nodes)) return [];
  const out: XChild[] = [];
  for (const node of nodes as Ordered[]) {
    const name = Object.keys(node).find((k) => k !== ':@');
    if (name === undefined) continue;
    if (name === '#text') {
      out.push({ text: decode(String(node[name])) });
    } else if (name === '#cdata') {
      const inner = (node[name] as Ordered[] | undefined) ?? [];
      out.push({ text: inner.map((t) => String(t['#text'] ?? '')).join('') });
    } else {
      const raw = (node[':@'] ?? {}) as Record<string, unknown>;
      const attrs: Record<string, string> = {};
      for (const [k, v] of Object.entries(raw)) attrs[k] = v === true ? '' : decode(String(v));
      out.push({ name, attrs, children: fromOrdered(node[name]) });
    }
  }
  // Whitespace between elements is layout, not content.
  return out.some(isElement) ? out.filter((c) => isElement(c) || c.text.trim() !== '') : out;
}

/** The document's root element; throws JunitError naming what is wrong. */
export function parseXml(xml: string): XElement {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new JunitError(`not valid XML: line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`);
  const root = fromOrdered(parser().parse(xml)).find(isElement);
  if (!root) throw new JunitError('not valid XML: no root element');
  return root;
}

function descendants(el: XElement, name: string, stopAt: string = name): XElement[] {
  const found: XElement[] = [];
  for (const child of el.children) {
    if (!isElement(child)) continue;
    if (child.name === name) found.push(child);
    if (child.name !== stopAt) found.push(...descendants(child, name, stopAt));
  }
  return found;
}

function requireJunitRoot(root: XElement): void {
  if (root.name !== 'testsuites' && root.name !== 'testsuite') {
    throw new JunitError(`not a JUnit report: the root element is <${root.name}>, not <testsuites> or <testsuite>`);
  }
}

/** Every <testcase> of a JUnit document (pytest writes <testsuites><testsuite><testcase>...). */
export function junitCases(xml: string): XElement[] {
  const root = parseXml(xml);
  requireJunitRoot(root);
  return descendants(root, 'testcase');
}

/** The top-level <testsuite> elements of a JUnit document, their cases flattened. */
export function junitSuites(xml: string): JunitSuite[] {
  const root = parseXml(xml);
  requireJunitRoot(root);
  const suites = root.name === 'testsuite' ? [root] : root.children.filter((c): c is XElement => isElement(c) && c.name === 'testsuite');
  return suites.map((s) => {
    const attrs: Record<string, string> = {};
    for (const key of ['timestamp', 'hostname']) if (s.attrs[key] !== undefined) attrs[key] = s.attrs[key];
    return { name: s.attrs.name ?? '', cases: descendants(s, 'testcase'), attrs };
  });
}

// ---------------------------------------------------------------- counting and building

export type CaseOutcome = 'passed' | 'failure' | 'error' | 'skipped';

export function caseOutcome(testcase: XElement): CaseOutcome {
  const kinds = testcase.children.filter(isElement).map((c) => c.name);
  if (kinds.includes('failure')) return 'failure';
  if (kinds.includes('error')) return 'error';
  if (kinds.includes('skipped')) return 'skipped';
  return 'passed';
}

export interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  /** Seconds: the sum of the testcases' times. */
  time: number;
}

export function countCases(cases: readonly XElement[]): Counts {
  const counts: Counts = { tests: cases.length, failures: 0, errors: 0, skipped: 0, time: 0 };
  for (const c of cases) {
    const outcome = caseOutcome(c);
    if (outcome === 'failure') counts.failures++;
    else if (outcome === 'error') counts.errors++;
    else if (outcome === 'skipped') counts.skipped++;
    const t = Number(c.attrs.time);
    if (Number.isFinite(t) && t > 0) counts.time += t;
  }
  counts.time = Math.round(counts.time * 1000) / 1000;
  return counts;
}

export const seconds = (s: number) => s.toFixed(3);

function countAttrs(c: Counts): Record<string, string> {
  return { tests: String(c.tests), failures: String(c.failures), errors: String(c.errors), skipped: String(c.skipped), time: seconds(c.time) };
}

/** XML 1.0 allows tab, newline, carriage return and everything from U+0020 but U+FFFE, U+FFFF and lone surrogates. */
const FORBIDDEN = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Colour codes dropped; other characters XML cannot hold shown as `\xNN` (or U+FFFD). */
export function xmlSafe(text: string): string {
  return stripAnsi(text).replace(FORBIDDEN, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x20 ? `\\x${code.toString(16).padStart(2, '0')}` : '\uFFFD';
  });
}

function escapeText(text: string): string {
  return xmlSafe(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

function escapeAttr(text: string): string {
  return xmlSafe(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

let builderInstance: XMLBuilder | undefined;
const builder = (): XMLBuilder => (builderInstance ??= new XMLBuilder({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  format: true,
  indentBy: '  ',
  suppressEmptyNode: true,
  // Escaping is done by the processors below (fast-xml-parser's own would leave newlines
  // in attributes, which a reader turns into spaces, and the characters XML forbids).
  processEntities: false,
  tagValueProcessor: (_name: string, value: unknown) => escapeText(String(value)),
  attributeValueProcessor: (_name: string, value: unknown) => escapeAttr(String(value)),
}));

function toOrdered(children: readonly XChild[]): Ordered[] {
  return children.map((c) => (isElement(c) ? { [c.name]: toOrdered(c.children), ':@': { ...c.attrs } } : { '#text': c.text }));
}

export function element(name: string, attrs: Record<string, string>, children: XChild[] = []): XElement {
  return { name, attrs, children };
}

/** Applies `fn` to every text and attribute value. */
export function mapStrings(el: XElement, fn: (s: string) => string): XElement {
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(el.attrs)) attrs[k] = fn(v);
  return { name: el.name, attrs, children: el.children.map((c) => (isElement(c) ? mapStrings(c, fn) : { text: fn(c.text) })) };
}

/** The merged document: <testsuites> with the counts of all, one <testsuite> per entry. */
export function junitDocument(suites: readonly JunitSuite[], name = 'esb-e2e'): string {
  const total: Counts = { tests: 0, failures: 0, errors: 0, skipped: 0, time: 0 };
  const children = suites.map((s) => {
    const counts = countCases(s.cases);
    total.tests += counts.tests;
    total.failures += counts.failures;
    total.errors += counts.errors;
    total.skipped += counts.skipped;
    total.time += counts.time;
    return element('testsuite', { name: s.name, ...countAttrs(counts), ...s.attrs }, [...s.cases]);
  });
  total.time = Math.round(total.time * 1000) / 1000;
  const root = element('testsuites', { name, ...countAttrs(total) }, children);
  const declaration = { '?xml': [{ '#text': '' }], ':@': { version: '1.0', encoding: 'UTF-8' } };
  const xml = builder().build([declaration, ...toOrdered([root])]) as string;
  return xml.endsWith('\n') ? xml : xml + '\n';
}
