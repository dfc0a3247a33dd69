// What the phases do differently for each generation of ESB's layout, behind one interface:
// the deploy, pytest's leading arguments, what cleanup takes down, when compose up builds,
// whether the registry must join the env's network, what follows compose up, and where
// pytest's view of the gateway comes from. The generic phases look the generation up here.
import type { GenerationName } from '../esb/generation';
import { display } from '../format';
import type { EnvPlan, Plan } from '../plan/types';
import { currentNeedsBuild, legacyNeedsBuild } from './build-probe';
import { OK, type PhaseContext, type PhaseOutcome } from './context';
import { deploy } from './deploy';
import { deployArtifact } from './deploy-artifact';
import { gatewayAfterUp, gatewayByLabels, gatewayByName } from './gateway';

export interface GenerationSteps {
  readonly deploy: (ctx: PhaseContext) => Promise<PhaseOutcome>;
  /** pytest's arguments before the targets (after `<python> -m pytest`). */
  readonly pytestLead: (plan: Plan, env: EnvPlan) => string[];
  /** `compose <args>` of the cleanup phase (`--cleanup`). */
  readonly cleanup: readonly string[];
  readonly needsBuild: (ctx: PhaseContext) => Promise<boolean>;
  /** The env fails when the shared registry cannot join its network (else it is only noted). */
  readonly registryJoinRequired: boolean;
  /** After compose up and its waits. */
  readonly afterUp: (ctx: PhaseContext) => Promise<PhaseOutcome>;
  /** The gateway container's environment for pytest. */
  readonly gateway: (ctx: PhaseContext) => Promise<Record<string, string>>;
}

const LEGACY: GenerationSteps = {
  deploy,
  pytestLead: () => [],
  cleanup: ['down', '--volumes', '--remove-orphans'],
  needsBuild: legacyNeedsBuild,
  registryJoinRequired: true,
  afterUp: async () => OK,
  gateway: gatewayByName,
};

const CURRENT: GenerationSteps = {
  deploy: deployArtifact,
  pytestLead: (plan, env) => ['--compose-file', display(plan.root, env.composeFiles[0]!), '--import-mode=importlib'],
  // ESB's current runner keeps the volumes at cleanup.
  cleanup: ['down'],
  needsBuild: currentNeedsBuild,
  registryJoinRequired: false,
  afterUp: gatewayAfterUp,
  // Read after compose up; with --test-only (no compose phase) read now, and {} when it cannot be.
  gateway: async (ctx) => ctx.binding.gateway ?? (ctx.plan.gatewayEnv ? await gatewayByLabels(ctx).then((r) => (r.ok ? r.env : {})) : {}),
};

export const STEPS: Readonly<Record<GenerationName, GenerationSteps>> = { legacy: LEGACY, current: CURRENT };

export const stepsOf = (ctx: { readonly plan: Plan }) => STEPS[ctx.plan.generation];
