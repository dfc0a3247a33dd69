// Planning step of the current ESB layout: an env's artifact manifest and the fixture images
// its deploy builds first (read from the artifacts' Dockerfiles), the ctl the run resolves,
// and the buildx builders warmed up before any env.
import { join, resolve } from 'node:path';
import { findFixtureImages, artifactRoots, mavenShim, registryHost } from '../esb/fixture-images';
import { display, quoteArgv } from '../format';
import { whyUnreadable } from '../io/reader';
import type { Vars } from './env';
import type { Scope } from './scope';
import type { ArtifactPlan, BuilderPlan, CtlPlan, EnvPlan } from './types';

/** ESB's ctl, by its branding: the wrapper's name and the program looked for on PATH. */
export const CTL_NAME = 'esb-ctl';
export const CTL_SETTING = 'CTL_BIN (the ctl), or run from an ESB checkout (the wrapper .e2e/bin/esb-ctl runs tools.cli.cli)';

/** What an env deploys, or why that cannot be known (the env then fails at deploy, not the plan). */
export function artifactPlan(scope: Scope, i: number, vars: Readonly<Vars>): ArtifactPlan {
  const { root, ctx } = scope;
  const manifest = resolve(root, scope.loaded.matrix.matrix[i]!.artifact_manifest!);
  const shown = display(root, manifest);
  const none = (problem: string): ArtifactPlan => ({ manifest, problem, images: [], shim: null });
  if (ctx.reader.kind(manifest) !== 'file') return none(`artifact manifest ${shown} not found (${scope.loaded.at(['matrix', i, 'artifact_manifest'])})`);
  let roots: string[];
  try {
    roots = artifactRoots(ctx.reader.readText(manifest), manifest);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return none(`${shown}: ${code ? `cannot read it: ${whyUnreadable(error)}` : (error as Error).message}`);
  }
  const images = findFixtureImages(ctx.reader, roots);
  const java = images.find((image) => image.kind === 'java');
  if (!java) return { manifest, problem: null, images, shim: null };
  const shim = mavenShim(ctx.reader, root, registryHost(java.image) ?? vars.HOST_REGISTRY_ADDR ?? '127.0.0.1:5010');
  if (!shim) {
    return { manifest, images, shim: null, problem: `${java.image} needs the maven shim: e2e/fixtures/images/lambda/java/Dockerfile with ARG MAVEN_IMAGE=<image>, and tools/cli/assets/mavenshim/{Dockerfile,mvn-wrapper.sh}` };
  }
  return { manifest, problem: null, images, shim };
}

const wrapperPath = (root: string) => join(root, '.e2e', 'bin', CTL_NAME);

/** The ctl as planned: CTL_BIN when set, else the wrapper (the run settles it: CTL_BIN_RESOLVED). */
export function ctlProgram(scope: Scope): string {
  return scope.ctx.base.CTL_BIN?.trim() || wrapperPath(scope.root);
}

/** How the run finds the ctl, and the wrapper it writes: bash, cd to the root, python -m tools.cli.cli. */
export function ctlPlan(scope: Scope, python: string): CtlPlan {
  const wrapperText = ['#!/usr/bin/env bash', 'set -euo pipefail', `cd ${quoteArgv([scope.root])}`, `exec ${quoteArgv([python])} -m tools.cli.cli "$@"`, ''].join('\n');
  return { bin: scope.ctx.base.CTL_BIN?.trim() || null, wrapper: wrapperPath(scope.root), wrapperText, fallback: CTL_NAME };
}

/** Every distinct BUILDX_BUILDER of the envs that build (not --test-only), with its BUILDKITD_CONFIG. */
export function buildersOf(envs: readonly EnvPlan[]): BuilderPlan[] {
  const builders = new Map<string, BuilderPlan>();
  for (const env of envs) {
    const name = env.env.BUILDX_BUILDER;
    if (!name || env.phases.deploy === 'skip' || builders.has(name)) continue;
    builders.set(name, { name, config: env.env.BUILDKITD_CONFIG ?? null });
  }
  return [...builders.values()];
}
