// The plan: what `esb-e2e plan` prints and `run` executes, deep-frozen. Everything an env
// needs at run time is here; the one thing only the run can know (ports moved because one
// was busy, ports a service really published) is applied by plan/bind.ts, a pure step that
// returns a new frozen value.
import type { ProjectReader } from '../io/reader';
import type { Mode } from '../esb/layout';
import type { PortBlock } from '../esb/ports';
import type { PublishedPort } from '../esb/published';
import type { RandomHex } from '../esb/conventions';
import type { FixtureImage, MavenShim } from '../esb/fixture-images';
import type { GenerationName } from '../esb/generation';
import type { Vars } from './env';
import type { PhaseName, Timeouts } from './phases';

export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** What the command line asks for (already validated for shape by the CLI). */
export interface PlanOptions {
  readonly matrix?: string | undefined;
  readonly envs?: readonly string[] | undefined;
  readonly suites?: readonly string[] | undefined;
  readonly shard?: Shard | undefined;
  readonly testTarget?: string | undefined;
  readonly buildOnly?: boolean;
  readonly testOnly?: boolean;
  /** For `esb-e2e down`: nothing is deployed, so deploy templates are not looked for. */
  readonly takingDown?: boolean;
  readonly jobs?: number | undefined;
  /** `--esb`: the ESB layout the matrix is for, whatever it looks like. */
  readonly esb?: GenerationName | undefined;
  /** `--with-proxy` (current layout): the proxy's host; every phase goes through the proxy there. */
  readonly proxyHost?: string | undefined;
  readonly timeouts?: Partial<Timeouts>;
  readonly logDir?: string | undefined;
  readonly set?: Readonly<Vars>;
  readonly pytestArgs?: readonly string[];
}

/** Everything planning reads from the outside world, as data. */
export interface PlanContext {
  /** The project root (cwd). */
  readonly root: string;
  /** process.env, read once by the CLI. */
  readonly base: Readonly<Record<string, string | undefined>>;
  readonly reader: ProjectReader;
  readonly random: RandomHex;
  readonly now: Date;
  readonly gitSha?: string | undefined;
}

export interface WaitSpec {
  readonly url: string;
  readonly timeout: number;
}

/** The user-set layers of one env and what the runner manages: what plan/bind.ts resolves. */
export interface EnvLayers {
  readonly file: Readonly<Vars>;
  readonly fileWhere: string;
  readonly defaults: Readonly<Vars>;
  readonly defaultsWhere: string;
  readonly env: Readonly<Vars>;
  readonly envWhere: string;
  readonly managed: Readonly<Vars>;
  /** Keys the layout removes, whoever set them (containerd envs of the current layout: the runtime subnet). */
  readonly removed: readonly string[];
  readonly credentials: Readonly<Vars>;
  readonly set: Readonly<Vars>;
}

/** The current layout's deploy: fixture images built and pushed, then `<ctl> deploy --artifact` and `provision`. */
export interface ArtifactPlan {
  /** The artifact manifest (absolute). */
  readonly manifest: string;
  /** Why its fixture images cannot be known (a missing or malformed manifest): the env fails at deploy. */
  readonly problem: string | null;
  readonly images: readonly FixtureImage[];
  /** The maven shim a java fixture image is built on. */
  readonly shim: MavenShim | null;
}

export interface EnvPlan {
  readonly name: string;
  readonly mode: Mode;
  readonly project: string;
  readonly envDir: string;
  readonly composeFiles: readonly string[];
  /** A compose file can build an image (or pull in one that does): up may need --build. */
  readonly composeBuilds: boolean;
  readonly envFile: string | null;
  readonly suites: readonly string[];
  readonly targets: readonly string[];
  readonly excludes: readonly string[];
  readonly markers: string | null;
  readonly deployTemplates: readonly string[];
  /** The current layout's deploy; null in the legacy one. */
  readonly artifact: ArtifactPlan | null;
  /** The planned ports; `autoPorts` are the ones taken from the block (they move when one is busy). */
  readonly ports: Readonly<Record<string, number>>;
  readonly autoPorts: readonly string[];
  readonly block: PortBlock;
  readonly timeouts: Readonly<Timeouts>;
  readonly phases: Readonly<Record<PhaseName, 'run' | 'skip'>>;
  readonly wait: readonly WaitSpec[];
  /** ESB default wait: the gateway's https /health, when the gateway publishes that port. */
  readonly gatewayWait: boolean;
  readonly log: string;
  readonly composeLog: string;
  readonly junit: string;
  readonly stateDirs: readonly string[];
  readonly dockerHost: string | null;
  readonly dockerContext: string | null;
  /** The legacy layout's deploy CLI. */
  readonly esb: string;
  /** The current layout's ctl as planned (the run resolves it: CTL_BIN_RESOLVED). */
  readonly ctl: string;
  readonly python: string;
  /** Resolved variables the runner adds to the base env (planned ports). */
  readonly env: Readonly<Vars>;
  readonly layers: EnvLayers;
}

export interface InfraPlan {
  readonly composeFile: string;
  readonly project: string;
  readonly services: readonly string[];
  readonly readyUrl: string;
  readonly readyTimeout: number;
  readonly container: string | null;
  readonly alias: string;
}

/** How the current layout finds its ctl: CTL_BIN, else a wrapper it writes, else `esb-ctl` on PATH. */
export interface CtlPlan {
  /** CTL_BIN of the environment, when set. */
  readonly bin: string | null;
  readonly wrapper: string;
  readonly wrapperText: string;
  readonly fallback: string;
}

/** A buildx builder the current layout warms up before any env. */
export interface BuilderPlan {
  readonly name: string;
  /** BUILDKITD_CONFIG of the envs that use it (passed when the file exists). */
  readonly config: string | null;
}

/** The proxy of `--with-proxy` and its Java proof, as planned. */
export interface ProxyPlan {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  /** The NO_PROXY list every phase gets (and the proxy refuses upstream). */
  readonly noProxy: string;
  /** The Java function whose dependencies the proof resolves (absolute). */
  readonly javaSource: string;
  /** Log files: the proxy's and the proof proxy's. */
  readonly log: string;
  readonly proofLog: string;
}

export interface Plan {
  readonly root: string;
  /** The ESB layout the matrix is for. */
  readonly generation: GenerationName;
  /** Current layout only: the ctl, the builders to warm up, the CERT_DIR pytest's TLS files are in. */
  readonly ctl: CtlPlan | null;
  readonly builders: readonly BuilderPlan[];
  readonly certDir: string;
  /** `--with-proxy`: the proxy every phase goes through, started before any env. */
  readonly proxy: ProxyPlan | null;
  /** --build-only: the current layout's compose up then builds (`--build`). */
  readonly buildOnly: boolean;
  readonly matrixFile: string;
  readonly logDir: string;
  readonly jobs: number;
  readonly compose: readonly string[] | null;
  readonly registryPort: number;
  readonly infra: InfraPlan | null;
  readonly publishedPorts: readonly PublishedPort[];
  readonly autoBuild: boolean;
  readonly gatewayEnv: boolean;
  /** Ask a local engine over its socket for read-only facts (ESB_E2E_DOCKER_API, default on). */
  readonly dockerApi: boolean;
  readonly pytestArgs: readonly string[];
  /** The base env without the keys the runner manages. */
  readonly base: Readonly<Vars>;
  readonly envs: readonly EnvPlan[];
  /** Every matrix env, sorted (the port block index is a position in it). */
  readonly allEnvs: readonly string[];
  readonly notices: readonly string[];
}
