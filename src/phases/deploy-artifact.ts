// The deploy phase of ESB's current layout: the fixture images the env's artifacts start
// FROM built and pushed (the java one on the maven shim, built once per run), then
// `<ctl> deploy --artifact <manifest>` and `<ctl> provision`, all with ESB_META_REUSE=1.
import { fixtureBuildArgv, proxyBuildArgs, pushArgv, shimBuildArgv, type FixtureImage, type MavenShim } from '../esb/fixture-images';
import { display } from '../format';
import { CTL_SETTING } from '../plan/artifact';
import type { Vars } from '../plan/env';
import { dockerArgv } from './compose-cli';
import { OK, failed, type PhaseContext, type PhaseOutcome } from './context';

/** A `docker ...` command line on the env's engine (its docker context, when it has one). */
const onEngine = (ctx: PhaseContext, argv: readonly string[]) => dockerArgv(ctx.env, ...argv.slice(1));

/** The ctl the run resolved (CTL_BIN_RESOLVED), else as planned. */
export const ctlOf = (ctx: PhaseContext) => ctx.binding.vars.CTL_BIN_RESOLVED || ctx.env.ctl;

export async function deployArtifact(ctx: PhaseContext): Promise<PhaseOutcome> {
  const artifact = ctx.env.artifact!;
  if (artifact.problem) return { ok: false, reason: artifact.problem };
  const meta: Vars = { ESB_META_REUSE: '1', PROJECT_NAME: ctx.env.project };
  const proxyArgs = proxyBuildArgs(ctx.binding.vars);
  for (const image of artifact.images) {
    const built = await fixtureImage(ctx, image, artifact.shim, proxyArgs, meta);
    if (!built.ok) return built;
  }
  return ctlSteps(ctx, meta);
}

/** `<ctl> deploy --artifact <manifest> [--no-cache]`, then `<ctl> provision` of the env's compose project. */
async function ctlSteps(ctx: PhaseContext, meta: Vars): Promise<PhaseOutcome> {
  const { plan, env, options } = ctx;
  const ctl = ctlOf(ctx);
  const shown = (path: string) => display(plan.root, path);
  const deploy = await ctx.run([ctl, 'deploy', '--artifact', shown(env.artifact!.manifest), ...(options.noCache ? ['--no-cache'] : [])], { env: meta, setting: CTL_SETTING });
  if (!deploy.ok) return failed(deploy, 'ctl deploy');
  const provision = await ctx.run(
    [ctl, 'provision', '--project', env.project, '--compose-file', shown(env.composeFiles[0]!), '--env-file', shown(env.envFile!)],
    { env: meta, setting: CTL_SETTING },
  );
  return provision.ok ? OK : failed(provision, 'ctl provision');
}

async function fixtureImage(ctx: PhaseContext, image: FixtureImage, shim: MavenShim | null, proxyArgs: readonly string[], meta: Vars): Promise<PhaseOutcome> {
  if (image.kind === 'java' && shim) {
    const ready = await ctx.once(`maven shim ${shim.image}`, () => mavenShim(ctx, shim, proxyArgs, meta));
    if (!ready.ok) return ready.cancelled ? ready : { ok: false, reason: `fixture image ${image.image}: ${ready.reason}` };
  }
  const build = await ctx.run(onEngine(ctx, fixtureBuildArgv(image, { root: ctx.plan.root, noCache: ctx.options.noCache, proxyArgs, shim: shim?.image })), { env: meta });
  if (!build.ok) return failed(build, `fixture image ${image.image}: build`);
  const push = await ctx.run(onEngine(ctx, pushArgv(image.image)), { env: meta });
  return push.ok ? OK : failed(push, `fixture image ${image.image}: push`);
}

/** The maven shim: built when the engine lacks it (or with --no-cache), then pushed. */
async function mavenShim(ctx: PhaseContext, shim: MavenShim, proxyArgs: readonly string[], meta: Vars): Promise<PhaseOutcome> {
  const present = !ctx.options.noCache && (await ctx.run(dockerArgv(ctx.env, 'image', 'inspect', shim.image), { env: meta, capture: true, quiet: true })).ok;
  if (!present) {
    const build = await ctx.run(onEngine(ctx, shimBuildArgv(shim, shim.assets, { noCache: ctx.options.noCache, proxyArgs })), { env: meta });
    if (!build.ok) return failed(build, `maven shim ${shim.image}: build`);
  }
  const push = await ctx.run(onEngine(ctx, pushArgv(shim.image)), { env: meta });
  return push.ok ? OK : failed(push, `maven shim ${shim.image}: push`);
}
