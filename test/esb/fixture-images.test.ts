// src/esb/fixture-images.ts: fixture images found under artifact roots, the maven shim, and their docker argv.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  PROXY_PAIRS,
  artifactRoots,
  findFixtureImages,
  fixtureBuildArgv,
  mavenShim,
  proxyBuildArgs,
  pushArgv,
  registryHost,
  shimBuildArgv,
} from '../../src/esb/fixture-images';
import type { ProjectReader } from '../../src/io/reader';
import { memoryReader } from '../helpers/memory-reader';

// Exact bytes of esb-head's tools/cli/assets/mavenshim/{Dockerfile,mvn-wrapper.sh}.
const SHIM_DOCKERFILE =
  "# placeholder of ESB's maven shim image (the real one wraps mvn with proxy settings)\n" +
  'ARG BASE_MAVEN_IMAGE\n' +
  'FROM ${BASE_MAVEN_IMAGE}\n' +
  'COPY mvn-wrapper.sh /usr/local/bin/mvn\n';
const SHIM_WRAPPER = "#!/bin/sh\n# placeholder of ESB's mvn wrapper\nexec mvn.esb-real \"$@\"\n";
const BASE =
  'public.ecr.aws/sam/build-java21@sha256:5f78d6d9124e54e5a7a9941ef179d74d88b7a5b117526ea8574137e5403b51b7';
const JAVA_DOCKERFILE = `ARG MAVEN_IMAGE=${BASE}\nFROM \${MAVEN_IMAGE} AS builder\nRUN mvn package\nFROM public.ecr.aws/lambda/java:21\n`;

describe('artifactRoots', () => {
  const manifest = '/p/e2e/artifacts/e2e-docker/artifact.yml';

  it('resolves relative roots against the manifest folder and keeps absolute ones', () => {
    const text = 'schema_version: "1"\nartifacts:\n  - artifact_root: entries/t-1\n  - artifact_root: ../common/x/\n  - artifact_root: /abs/root\n';
    expect(artifactRoots(text, manifest)).toEqual([
      '/p/e2e/artifacts/e2e-docker/entries/t-1',
      '/p/e2e/artifacts/common/x',
      '/abs/root',
    ]);
  });

  it('an empty artifacts list gives no roots', () => {
    expect(artifactRoots('artifacts: []\n', manifest)).toEqual([]);
  });

  it.each([
    ['', 'artifact manifest is not a mapping'],
    ['- a\n- b\n', 'artifact manifest is not a mapping'],
    ['just text\n', 'artifact manifest is not a mapping'],
    ['env: x\n', 'artifact manifest has no `artifacts` list'],
    ['artifacts: {artifact_root: x}\n', 'artifact manifest has no `artifacts` list'],
    ['artifacts:\n  - artifact_root: a\n  - runtime_config_dir: c\n', 'artifacts[1] has no artifact_root (a non-empty string)'],
    ['artifacts:\n  - artifact_root: ""\n', 'artifacts[0] has no artifact_root (a non-empty string)'],
    ['artifacts:\n  - artifact_root: 3\n', 'artifacts[0] has no artifact_root (a non-empty string)'],
    ['artifacts:\n  - entries/x\n', 'artifacts[0] has no artifact_root (a non-empty string)'],
  ])('rejects %j', (text, message) => {
    expect(() => artifactRoots(text, manifest)).toThrow(new Error(message));
  });

  it('rejects invalid YAML with a one-line message', () => {
    expect(() => artifactRoots('artifacts: [\n', manifest)).toThrow(/^artifact manifest is not valid YAML: [^\n]+$/);
  });
});

describe('findFixtureImages', () => {
  const root = '/mem/project/e2e/artifacts/e2e-docker/entries/t';

  it('finds python and java images in nested Dockerfiles and ignores everything else', () => {
    const reader = memoryReader({
      'e2e/artifacts/e2e-docker/entries/t/functions/a/Dockerfile': 'FROM 127.0.0.1:5010/esb-e2e-image-python:latest\nCMD ["x"]\n',
      'e2e/artifacts/e2e-docker/entries/t/functions/deep/er/b/Dockerfile':
        'ARG X=1\nfrom --platform=linux/amd64 127.0.0.1:5010/esb-e2e-image-java:latest AS builder\nFROM public.ecr.aws/lambda/java:21\n',
      'e2e/artifacts/e2e-docker/entries/t/functions/c/Dockerfile': [
        'FROM 127.0.0.1:5010/esb-lambda-base:e2e-x-latest',
        'FROM public.ecr.aws/lambda/java:21 AS builder',
        'FROM 127.0.0.1:5010/esb-e2e-image-python-extra:latest',
        'FROM 127.0.0.1:5010/esb-e2e-image-java/other:1',
        '# FROM 127.0.0.1:5010/esb-e2e-image-python:commented',
        'RUN echo FROM 127.0.0.1:5010/esb-e2e-image-python:run',
        'FROM ${IMAGE}',
      ].join('\n'),
      'e2e/artifacts/e2e-docker/entries/t/functions/d/Dockerfile.dev': 'FROM 127.0.0.1:5010/esb-e2e-image-python:dev\n',
      'e2e/artifacts/e2e-docker/entries/t/functions/d/Dockerfile.d/x': 'FROM 127.0.0.1:5010/esb-e2e-image-python:dir\n',
      'e2e/artifacts/e2e-docker/entries/t/functions/e/dockerfile': 'FROM 127.0.0.1:5010/esb-e2e-image-python:lower\n',
      'e2e/fixtures/images/lambda/python/Dockerfile': 'FROM 127.0.0.1:5010/esb-e2e-image-python:outside\n',
    });
    expect(findFixtureImages(reader, [root])).toEqual([
      { image: '127.0.0.1:5010/esb-e2e-image-java:latest', kind: 'java' },
      { image: '127.0.0.1:5010/esb-e2e-image-python:latest', kind: 'python' },
    ]);
    expect(reader.calls.every((c) => c.op !== 'md5')).toBe(true);
  });

  it('matches digest-pinned refs, CRLF lines and a branded prefix; dedupes and sorts across roots', () => {
    const digest = 'sha256:' + 'ab'.repeat(32);
    const reader = memoryReader({
      'r1/x/Dockerfile': `FROM reg.local/esb-e2e-image-java@${digest}\r\nFROM localhost:5000/esb-e2e-image-python:1\r\n`,
      'r1/y/Dockerfile': `FROM localhost:5000/esb-e2e-image-python:1\nFROM reg.local/ns/esb-e2e-image-python:v@${digest}\n`,
      'r2/Dockerfile': 'FROM acme-esb-e2e-image-python\nFROM localhost:5000/esb-e2e-image-python:1\n',
    });
    expect(findFixtureImages(reader, [reader.abs('r2'), reader.abs('r1'), reader.abs('r1')])).toEqual([
      { image: 'acme-esb-e2e-image-python', kind: 'python' },
      { image: 'localhost:5000/esb-e2e-image-python:1', kind: 'python' },
      { image: `reg.local/esb-e2e-image-java@${digest}`, kind: 'java' },
      { image: `reg.local/ns/esb-e2e-image-python:v@${digest}`, kind: 'python' },
    ]);
  });

  it('uses the brand given', () => {
    const reader = memoryReader({
      'r/Dockerfile': 'FROM reg:1/acme-e2e-image-java:latest\nFROM reg:1/esb-e2e-image-python:latest\n',
    });
    expect(findFixtureImages(reader, [reader.abs('r')], 'acme')).toEqual([
      { image: 'reg:1/acme-e2e-image-java:latest', kind: 'java' },
    ]);
  });

  it('skips unreadable Dockerfiles, neither reads nor enters "other", and tolerates missing roots', () => {
    const base = memoryReader({
      'r/a/Dockerfile': 'FROM reg:1/esb-e2e-image-python:a\n',
      'r/b/Dockerfile': 'FROM reg:1/esb-e2e-image-python:b\n',
      'r/fifo/Dockerfile': 'FROM reg:1/esb-e2e-image-python:fifo\n',
    });
    const reader: ProjectReader = {
      ...base,
      kind: (p) => (p.endsWith('/fifo') ? 'other' : base.kind(p)),
      readText: (p) => {
        if (p.endsWith('/b/Dockerfile')) throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
        return base.readText(p);
      },
    };
    expect(findFixtureImages(reader, [base.abs('r'), base.abs('missing')])).toEqual([
      { image: 'reg:1/esb-e2e-image-python:a', kind: 'python' },
    ]);
    expect(base.calls.some((c) => c.path.includes('/fifo/'))).toBe(false);
  });

  it('stops at depth 32 in a tree that never ends (a symlink loop)', () => {
    const depthOf = (p: string) => p.split('/loop').length - 1;
    let lists = 0;
    const loop: ProjectReader = {
      kind: (p) => (p.endsWith('/loop') ? 'dir' : 'file'),
      readText: (p) => `FROM reg:1/esb-e2e-image-python:d${String(depthOf(p)).padStart(2, '0')}\n`,
      md5: () => undefined,
      list: () => {
        lists += 1;
        return ['Dockerfile', 'loop'];
      },
    };
    const images = findFixtureImages(loop, ['/r']);
    expect(lists).toBe(33);
    expect(images).toHaveLength(33);
    expect(images[0]?.image).toBe('reg:1/esb-e2e-image-python:d00');
    expect(images[32]?.image).toBe('reg:1/esb-e2e-image-python:d32');
  });

  it('a Dockerfile in a folder at depth 32 is found, at depth 33 is not', () => {
    const dirs = (n: number) => Array.from({ length: n }, (_, i) => `d${i}`).join('/');
    const found = memoryReader({ [`r/${dirs(32)}/Dockerfile`]: 'FROM r:1/esb-e2e-image-java:32\n' });
    expect(findFixtureImages(found, [found.abs('r')])).toHaveLength(1);
    const tooDeep = memoryReader({ [`r/${dirs(33)}/Dockerfile`]: 'FROM r:1/esb-e2e-image-java:33\n' });
    expect(findFixtureImages(tooDeep, [tooDeep.abs('r')])).toEqual([]);
  });

  it('visits at most 10000 entries under a root', () => {
    const tree = (fillers: number) => {
      const t: Record<string, string> = { 'r/z/Dockerfile': 'FROM r:1/esb-e2e-image-python:z\n' };
      for (let i = 0; i < fillers; i += 1) t[`r/f${String(i).padStart(5, '0')}`] = '';
      return t;
    };
    const within = memoryReader(tree(9998));
    expect(findFixtureImages(within, [within.abs('r')])).toHaveLength(1);
    const over = memoryReader(tree(9999));
    expect(findFixtureImages(over, [over.abs('r')])).toEqual([]);
    expect(over.calls.filter((c) => c.op === 'kind')).toHaveLength(10000);
  });

  it('stops a tree that is endlessly wide', () => {
    let kinds = 0;
    const wide: ProjectReader = {
      kind: () => {
        kinds += 1;
        return 'dir';
      },
      readText: () => '',
      md5: () => undefined,
      list: () => Array.from({ length: 100 }, (_, i) => `d${i}`),
    };
    expect(findFixtureImages(wide, ['/r'])).toEqual([]);
    expect(kinds).toBe(10000);
  });
});

describe('registryHost', () => {
  it.each([
    ['127.0.0.1:5010/esb-e2e-image-python:latest', '127.0.0.1:5010'],
    ['registry:5010/esb-lambda-base:x', 'registry:5010'],
    ['localhost/esb-e2e-image-java', 'localhost'],
    ['public.ecr.aws/lambda/java:21', 'public.ecr.aws'],
    ['library/python:3.12', undefined],
    ['python:3.12', undefined],
    ['python', undefined],
    ['registry/x/y', undefined],
  ])('%s -> %s', (image, host) => {
    expect(registryHost(image)).toBe(host);
  });
});

describe('mavenShim', () => {
  const shimTree = (
    javaDockerfile: string | undefined,
    assets: Readonly<Record<string, string>> = { Dockerfile: SHIM_DOCKERFILE, 'mvn-wrapper.sh': SHIM_WRAPPER },
  ) => {
    const tree: Record<string, string> = {};
    if (javaDockerfile !== undefined) tree['e2e/fixtures/images/lambda/java/Dockerfile'] = javaDockerfile;
    for (const [name, content] of Object.entries(assets)) tree[`tools/cli/assets/mavenshim/${name}`] = content;
    return memoryReader(tree);
  };

  it("names the shim as ESB does (esb-head's assets and base)", () => {
    const reader = shimTree(JAVA_DOCKERFILE);
    expect(mavenShim(reader, reader.root, '127.0.0.1:5010')).toEqual({
      image: '127.0.0.1:5010/esb-maven-shim:9c5a2f9c331e15b0',
      base: BASE,
      assets: '/mem/project/tools/cli/assets/mavenshim',
    });
  });

  it('a quoted ARG default gives the same base; another base or asset gives another tag', () => {
    const quoted = shimTree(`ARG MAVEN_IMAGE="${BASE}"\nFROM \${MAVEN_IMAGE}\n`);
    expect(mavenShim(quoted, quoted.root, '127.0.0.1:5010')?.image).toBe('127.0.0.1:5010/esb-maven-shim:9c5a2f9c331e15b0');
    const otherBase = shimTree('ARG MAVEN_IMAGE=maven:3\n');
    expect(mavenShim(otherBase, otherBase.root, 'r:1')).toMatchObject({ base: 'maven:3', image: expect.stringMatching(/^r:1\/esb-maven-shim:[0-9a-f]{16}$/) });
    expect(mavenShim(otherBase, otherBase.root, 'r:1')?.image).not.toContain('9c5a2f9c331e15b0');
    const otherAsset = shimTree(JAVA_DOCKERFILE, { Dockerfile: SHIM_DOCKERFILE, 'mvn-wrapper.sh': SHIM_WRAPPER + '\n' });
    expect(mavenShim(otherAsset, otherAsset.root, '127.0.0.1:5010')?.image).not.toContain('9c5a2f9c331e15b0');
  });

  it.each([
    ['no java Dockerfile', shimTree(undefined)],
    ['no MAVEN_IMAGE ARG', shimTree('ARG OTHER=x\nFROM public.ecr.aws/lambda/java:21\n')],
    ['an ARG without a default', shimTree('ARG MAVEN_IMAGE\nFROM ${MAVEN_IMAGE}\n')],
    ['an empty default', shimTree('ARG MAVEN_IMAGE=\n')],
    ['no shim Dockerfile', shimTree(JAVA_DOCKERFILE, { 'mvn-wrapper.sh': SHIM_WRAPPER })],
    ['no mvn-wrapper.sh', shimTree(JAVA_DOCKERFILE, { Dockerfile: SHIM_DOCKERFILE })],
  ])('is undefined with %s', (_, reader) => {
    expect(mavenShim(reader, reader.root, '127.0.0.1:5010')).toBeUndefined();
  });
});

describe('proxyBuildArgs', () => {
  it('passes each pair in order; upper-case wins, lower-case used when upper is empty or absent', () => {
    expect(
      proxyBuildArgs({ HTTP_PROXY: 'http://up:3128', http_proxy: 'http://low:3128', HTTPS_PROXY: '', https_proxy: 'http://s:3128', no_proxy: 'localhost' }),
    ).toEqual([
      '--build-arg', 'HTTP_PROXY=http://up:3128', '--build-arg', 'http_proxy=http://up:3128',
      '--build-arg', 'HTTPS_PROXY=http://s:3128', '--build-arg', 'https_proxy=http://s:3128',
      '--build-arg', 'NO_PROXY=localhost', '--build-arg', 'no_proxy=localhost',
    ]);
  });

  it('passes nothing when no proxy is set (or all are empty)', () => {
    expect(proxyBuildArgs({})).toEqual([]);
    expect(proxyBuildArgs({ HTTP_PROXY: '', http_proxy: '', PATH: '/bin' })).toEqual([]);
  });

  it('covers the three proxy variables', () => {
    expect(PROXY_PAIRS.map(([upper]) => upper)).toEqual(['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY']);
  });
});

describe('docker argv', () => {
  const proxyArgs = ['--build-arg', 'HTTP_PROXY=http://p:1', '--build-arg', 'http_proxy=http://p:1'];
  const shim = { image: '127.0.0.1:5010/esb-maven-shim:9c5a2f9c331e15b0', base: BASE, assets: '/p/tools/cli/assets/mavenshim' };

  it('builds the python fixture (no shim arg even when given)', () => {
    const python = { image: '127.0.0.1:5010/esb-e2e-image-python:latest', kind: 'python' } as const;
    expect(fixtureBuildArgv(python, { root: '/p', noCache: false, proxyArgs: [], shim: shim.image })).toEqual([
      'docker', 'buildx', 'build', '--platform', 'linux/amd64', '--load',
      '--tag', '127.0.0.1:5010/esb-e2e-image-python:latest', '/p/e2e/fixtures/images/lambda/python',
    ]);
  });

  it('builds the java fixture on the shim, with --no-cache and proxy args', () => {
    const java = { image: '127.0.0.1:5010/esb-e2e-image-java:latest', kind: 'java' } as const;
    expect(fixtureBuildArgv(java, { root: '/p', noCache: true, proxyArgs, shim: shim.image })).toEqual([
      'docker', 'buildx', 'build', '--platform', 'linux/amd64', '--load', '--no-cache', ...proxyArgs,
      '--build-arg', `MAVEN_IMAGE=${shim.image}`,
      '--tag', '127.0.0.1:5010/esb-e2e-image-java:latest', '/p/e2e/fixtures/images/lambda/java',
    ]);
    expect(fixtureBuildArgv(java, { root: '/p', noCache: false, proxyArgs: [] })).not.toContain('--build-arg');
  });

  it('builds the shim from its context', () => {
    expect(shimBuildArgv(shim, '/tmp/shim-1', { noCache: false, proxyArgs: [] })).toEqual([
      'docker', 'buildx', 'build', '--platform', 'linux/amd64', '--load', '--pull',
      '--build-arg', `BASE_MAVEN_IMAGE=${BASE}`,
      '--tag', shim.image, '--file', join('/tmp/shim-1', 'Dockerfile'), '/tmp/shim-1',
    ]);
    expect(shimBuildArgv(shim, '/tmp/shim-1', { noCache: true, proxyArgs })).toEqual([
      'docker', 'buildx', 'build', '--platform', 'linux/amd64', '--load', '--pull', '--no-cache', ...proxyArgs,
      '--build-arg', `BASE_MAVEN_IMAGE=${BASE}`,
      '--tag', shim.image, '--file', '/tmp/shim-1/Dockerfile', '/tmp/shim-1',
    ]);
  });

  it('pushes an image', () => {
    expect(pushArgv('127.0.0.1:5010/esb-e2e-image-python:latest')).toEqual(['docker', 'push', '127.0.0.1:5010/esb-e2e-image-python:latest']);
  });
});
