// The fixture images an ESB env's deploy needs built and pushed first (the python/java
// images its artifacts' Dockerfiles start FROM), the maven shim the java one builds on,
// and the docker command lines that build and push them. Pure: files come from a reader.
import { createHash } from 'node:crypto';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import type { ProjectReader } from '../io/reader';

export interface FixtureImage {
  readonly image: string;
  readonly kind: 'python' | 'java';
}

export interface MavenShim {
  readonly image: string;
  readonly base: string;
  readonly assets: string;
}

/** Walk guards: a symlink loop or a huge generated tree must not hang planning. */
const MAX_DEPTH = 32;
const MAX_ENTRIES = 10_000;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The artifact roots an env's artifact manifest (artifact.yml) names, as absolute paths. */
export function artifactRoots(manifestText: string, manifestPath: string): string[] {
  let doc: unknown;
  try {
    doc = parse(manifestText);
  } catch (error) {
    throw new Error(`artifact manifest is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!isRecord(doc)) throw new Error('artifact manifest is not a mapping');
  const artifacts = doc['artifacts'];
  if (!Array.isArray(artifacts)) throw new Error('artifact manifest has no `artifacts` list');
  const base = dirname(manifestPath);
  return artifacts.map((artifact: unknown, i) => {
    const root = isRecord(artifact) ? artifact['artifact_root'] : undefined;
    if (typeof root !== 'string' || root.trim() === '') {
      throw new Error(`artifacts[${i}] has no artifact_root (a non-empty string)`);
    }
    return isAbsolute(root) ? root : resolve(base, root);
  });
}

/** Every regular file named exactly `Dockerfile` under root, within the walk guards. */
function dockerfilesUnder(reader: ProjectReader, root: string): string[] {
  const found: string[] = [];
  const stack: { path: string; depth: number }[] = [{ path: root, depth: 0 }];
  let visited = 0;
  while (stack.length > 0) {
    const dir = stack.pop()!;
    for (const name of reader.list(dir.path)) {
      if (visited >= MAX_ENTRIES) return found;
      visited += 1;
      const path = join(dir.path, name);
      // 'other' (FIFO, socket, device) is neither read nor entered.
      const kind = reader.kind(path);
      if (kind === 'dir' && dir.depth < MAX_DEPTH) stack.push({ path, depth: dir.depth + 1 });
      else if (kind === 'file' && name === 'Dockerfile') found.push(path);
    }
  }
  return found;
}

/** `FROM [--platform=...] <image>`: the image token (a stage name after AS is not it). */
const FROM_LINE = /^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)/i;

/** The repository name of an image reference: last path segment, no digest, no tag. */
function repositoryName(image: string): string {
  const last = image.slice(image.lastIndexOf('/') + 1);
  return last.split('@')[0]!.split(':')[0]!;
}

function fixtureKind(image: string, brand: string): FixtureImage['kind'] | undefined {
  const repo = repositoryName(image);
  if (repo.endsWith(`${brand}-e2e-image-python`)) return 'python';
  if (repo.endsWith(`${brand}-e2e-image-java`)) return 'java';
  return undefined;
}

/** The fixture images the Dockerfiles under the artifact roots build FROM, deduplicated and sorted. */
export function findFixtureImages(reader: ProjectReader, roots: readonly string[], brand = 'esb'): FixtureImage[] {
  const images = new Map<string, FixtureImage>();
  for (const root of roots) {
    for (const file of dockerfilesUnder(reader, root)) {
      let text: string;
      try {
        text = reader.readText(file);
      } catch {
        continue; // an unreadable Dockerfile names no fixture image we could build anyway
      }
      for (const line of text.split(/\r?\n/)) {
        const image = FROM_LINE.exec(line)?.[1];
        const kind = image === undefined ? undefined : fixtureKind(image, brand);
        if (image !== undefined && kind !== undefined) images.set(image, { image, kind });
      }
    }
  }
  return [...images.values()].sort((a, b) => (a.image < b.image ? -1 : a.image > b.image ? 1 : 0));
}

/** The registry host of an image reference, by Docker's rule; undefined for Docker Hub. */
export function registryHost(image: string): string | undefined {
  const slash = image.indexOf('/');
  if (slash < 0) return undefined;
  const first = image.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost' ? first : undefined;
}

const sha256 = () => createHash('sha256');
const SHIM_ASSETS = ['Dockerfile', 'mvn-wrapper.sh'] as const;

function readOrUndefined(reader: ProjectReader, path: string): string | undefined {
  try {
    return reader.readText(path);
  } catch {
    return undefined;
  }
}

/** The default of `ARG MAVEN_IMAGE=<value>` (quotes dropped); undefined when absent or empty. */
function mavenImageArg(dockerfile: string): string | undefined {
  const match = /^\s*ARG\s+MAVEN_IMAGE=(\S+)\s*$/im.exec(dockerfile);
  const value = match?.[1]?.replace(/^(["'])(.*)\1$/, '$2');
  return value ? value : undefined;
}

/**
 * The maven shim image the java fixture builds on, named as ESB names it: a hash of the
 * base image and the shim's assets, so a changed asset or base gives a new tag.
 */
export function mavenShim(reader: ProjectReader, root: string, registry: string): MavenShim | undefined {
  const javaDockerfile = readOrUndefined(reader, join(root, 'e2e/fixtures/images/lambda/java/Dockerfile'));
  const base = javaDockerfile === undefined ? undefined : mavenImageArg(javaDockerfile);
  if (base === undefined) return undefined;
  const assets = join(root, 'tools/cli/assets/mavenshim');
  const fingerprint = sha256();
  for (const name of SHIM_ASSETS) {
    const content = readOrUndefined(reader, join(assets, name));
    if (content === undefined) return undefined;
    fingerprint.update(name, 'utf8').update('\0').update(content, 'utf8').update('\0');
  }
  const hash = sha256()
    .update(`v2\n${base}\n${fingerprint.digest('hex')}`, 'utf8')
    .digest('hex')
    .slice(0, 16);
  return { image: `${registry}/esb-maven-shim:${hash}`, base, assets };
}

export const PROXY_PAIRS = [
  ['HTTP_PROXY', 'http_proxy'],
  ['HTTPS_PROXY', 'https_proxy'],
  ['NO_PROXY', 'no_proxy'],
] as const;

/** `--build-arg` pairs passing the proxy settings on, both spellings (tools read either). */
export function proxyBuildArgs(vars: Readonly<Record<string, string | undefined>>): string[] {
  const args: string[] = [];
  for (const [upper, lower] of PROXY_PAIRS) {
    const value = vars[upper] || vars[lower];
    if (value) args.push('--build-arg', `${upper}=${value}`, '--build-arg', `${lower}=${value}`);
  }
  return args;
}

/** Build one fixture image from the project's fixture context for its kind. */
export function fixtureBuildArgv(
  image: FixtureImage,
  opts: { root: string; noCache: boolean; proxyArgs: readonly string[]; shim?: string },
): string[] {
  return [
    'docker', 'buildx', 'build', '--platform', 'linux/amd64', '--load',
    ...(opts.noCache ? ['--no-cache'] : []),
    ...opts.proxyArgs,
    ...(image.kind === 'java' && opts.shim ? ['--build-arg', `MAVEN_IMAGE=${opts.shim}`] : []),
    '--tag', image.image,
    join(opts.root, 'e2e/fixtures/images/lambda', image.kind),
  ];
}

/** Build the maven shim from a context holding its assets; --pull as ESB does (the base is digest-pinned, so it never drifts). */
export function shimBuildArgv(
  shim: MavenShim,
  context: string,
  opts: { noCache: boolean; proxyArgs: readonly string[] },
): string[] {
  return [
    'docker', 'buildx', 'build', '--platform', 'linux/amd64', '--load', '--pull',
    ...(opts.noCache ? ['--no-cache'] : []),
    ...opts.proxyArgs,
    '--build-arg', `BASE_MAVEN_IMAGE=${shim.base}`,
    '--tag', shim.image,
    '--file', join(context, 'Dockerfile'),
    context,
  ];
}

export const pushArgv = (image: string): string[] => ['docker', 'push', image];
