// The two generations of ESB's E2E layout, as far as a matrix tells them apart: which one a
// matrix is for (declared, forced, else told from its entries: `artifact_manifest` means
// the current one) and what an entry may say in each.

export const GENERATIONS = ['legacy', 'current'] as const;
export type GenerationName = (typeof GENERATIONS)[number];

/** What `plan` says of each. */
export const GENERATION_TEXT: Readonly<Record<GenerationName, string>> = {
  legacy: 'legacy (esb deploy of templates, port base 33000)',
  current: 'current (artifact manifests: fixture images, ctl deploy + provision; port base 18000)',
};

/** Entry keys ESB's current runner refuses, and what replaced them. */
export const REMOVED_KEYS: Readonly<Record<string, string>> = {
  deploy_driver: 'the deploy comes from the artifact manifest',
  artifact_generate: 'artifacts are generated before the run, not by it',
  image_uri_overrides: 'image URIs come from the artifact manifest',
};

interface EntryView {
  readonly env?: string | undefined;
  readonly esb_env?: string | undefined;
  readonly artifact_manifest?: string | undefined;
  readonly esb_project?: string | undefined;
  readonly deploy_templates?: readonly string[] | undefined;
  readonly suites?: readonly string[] | undefined;
}

/** `declared` is the matrix's `esb_layout`, `forced` the `--esb` flag (which wins). */
export function detectGeneration(entries: readonly EntryView[], declared?: GenerationName, forced?: GenerationName): GenerationName {
  return forced ?? declared ?? (entries.some((e) => e.artifact_manifest !== undefined) ? 'current' : 'legacy');
}

/** A problem of an entry: the key it is at (null: the entry), its text, and whether the key is missing. */
export type EntryProblem = readonly [key: string | null, text: string, missing?: boolean];

export function entryProblems(generation: GenerationName, entry: EntryView): EntryProblem[] {
  return generation === 'current' ? currentProblems(entry) : legacyProblems(entry);
}

function currentProblems(entry: EntryView): EntryProblem[] {
  const problems: EntryProblem[] = [];
  if (entry.env === undefined && entry.esb_env !== undefined) {
    problems.push(['esb_env', 'ESB\'s current layout names an env with "env:" ("esb_env" is the legacy key)']);
  }
  if (entry.artifact_manifest === undefined) {
    problems.push(['artifact_manifest', 'is required in ESB\'s current layout (each env deploys from its artifact manifest)', true]);
  }
  if (entry.deploy_templates !== undefined) {
    problems.push(['deploy_templates', 'is legacy: ESB\'s current layout deploys the artifact manifest (no template)']);
  }
  return problems;
}

function legacyProblems(entry: EntryView): EntryProblem[] {
  const problems: EntryProblem[] = [];
  const current = 'belongs to ESB\'s current layout, and this matrix is for the legacy one (esb_layout, or --esb)';
  if (entry.artifact_manifest !== undefined) problems.push(['artifact_manifest', current]);
  if (entry.esb_project !== undefined) problems.push(['esb_project', current]);
  if (entry.suites === undefined) problems.push(['suites', 'is required', true]);
  else if (Array.isArray(entry.suites) && entry.suites.length === 0) problems.push(['suites', 'an env needs at least one suite']);
  return problems;
}

/** Top-level keys of the legacy deploy that mean nothing to the current layout. */
export function topProblems(generation: GenerationName, matrix: { readonly esb?: string | undefined; readonly defaults?: { readonly deploy_templates?: unknown } | undefined }): [path: string[], text: string][] {
  if (generation !== 'current') return [];
  const problems: [string[], string][] = [];
  if (matrix.esb !== undefined) problems.push([['esb'], 'names the legacy deploy CLI; ESB\'s current layout deploys with its ctl (CTL_BIN, else .e2e/bin/esb-ctl)']);
  if (matrix.defaults?.deploy_templates !== undefined) problems.push([['defaults', 'deploy_templates'], 'is legacy: ESB\'s current layout deploys each env\'s artifact manifest']);
  return problems;
}

type Raw = Record<string, unknown>;
const isRaw = (value: unknown): value is Raw => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The layout a matrix (its YAML data, before or after validation) is for, and what that
 * layout asks of it: each problem at its YAML path, said alongside the schema's (all at once).
 */
export function layoutCheck(data: unknown, forced: GenerationName | undefined): { generation: GenerationName; problems: [path: (string | number)[], text: string, missing?: boolean][] } {
  const top = isRaw(data) ? data : {};
  const entries = (Array.isArray(top.matrix) ? top.matrix : []).map((e: unknown) => (isRaw(e) ? (e as EntryView) : {}));
  const declared = top.esb_layout === 'legacy' || top.esb_layout === 'current' ? top.esb_layout : undefined;
  const generation = detectGeneration(entries, declared, forced);
  const problems: [(string | number)[], string, boolean?][] = topProblems(generation, top as Parameters<typeof topProblems>[1]);
  entries.forEach((entry, i) => {
    for (const [key, text, missing] of entryProblems(generation, entry)) problems.push([key === null ? ['matrix', i] : ['matrix', i, key], text, missing]);
  });
  return { generation, problems };
}
