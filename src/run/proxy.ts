// `--with-proxy`, before any env: the proxy started (`proxy` from PATH, else uvx), waited
// for, probed through to the maven repository, and proved to carry a Java build (maven in
// the Java build image, its settings pointing at a second proxy, must resolve; pointing at
// a dead port, must not). What fails here stops the run before any env. Each proxy's lines
// go to its own log; the main proxy is stopped when the run ends.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEAD_PROXY, PROXY_FALLBACK, javaProofArgv, mavenSettings, probeArgv, proxyArgs } from '../esb/proxy';
import { display, quoteArgv } from '../format';
import { errorText, writeFileAtomic } from '../io/files';
import { LogFile } from '../io/log-file';
import { which } from '../io/which';
import { Masker } from '../mask';
import type { Plan, ProxyPlan } from '../plan/types';
import type { InfraSession } from './infra-session';
import type { Settled } from './setup-current';

export interface RunningProxy {
  stop(): Promise<void>;
}

const PROXY_SETTING = 'the proxy of --with-proxy: `proxy` (proxy.py 2.4.10) on PATH, or uvx to fetch it';
/** How long a proxy may take to listen (uvx may first fetch it). */
const LISTEN_MS = 60_000;

/** The proxy up and proven, or why not (the run then stops before any env). */
export async function proxyUp(plan: Plan, proxy: ProxyPlan, infra: InfraSession, timeoutMs: number): Promise<Settled<RunningProxy>> {
  const program = proxyProgram(plan);
  if (!program) return { ok: false, reason: `--with-proxy: neither \`proxy\` (proxy.py) nor \`uvx\` is on PATH (install proxy.py 2.4.10, or uv)` };
  infra.note(`proxy: ${proxy.url} (log: ${display(plan.root, proxy.log)})`);
  const main = await startProxy(plan, [...program, ...proxyArgs(proxy.port, proxy.noProxy)], proxy.port, proxy.log, infra);
  if (!main.ok) return main;
  const failed = (await probe(proxy, infra)) ?? (await javaProof(plan, proxy, program, infra, timeoutMs));
  if (failed === null) return main;
  await main.value.stop();
  return { ok: false, reason: failed };
}

function proxyProgram(plan: Plan): string[] | undefined {
  const own = which('proxy', plan.base.PATH, plan.root);
  if (own) return [own];
  const uvx = which(PROXY_FALLBACK[0]!, plan.base.PATH, plan.root);
  return uvx ? [uvx, ...PROXY_FALLBACK.slice(1)] : undefined;
}

/** One proxy process on `port`, its lines in `logPath`; settled once it accepts connections. */
async function startProxy(plan: Plan, argv: string[], port: number, logPath: string, infra: InfraSession): Promise<Settled<RunningProxy>> {
  const { deps } = infra;
  if (!(await deps.portFree(port))) return { ok: false, reason: `--with-proxy: port ${port} is taken (the proxy listens there; stop what holds it)` };
  let log: LogFile;
  try {
    log = await LogFile.open(logPath);
  } catch (error) {
    return { ok: false, reason: `--with-proxy: cannot open ${display(plan.root, logPath)}: ${errorText(error)}` };
  }
  const masker = Masker.forVars(plan.base);
  log.line(`$ ${masker.mask(quoteArgv(argv))}`);
  const stop = new AbortController();
  const exited = deps.exec(
    { argv, env: { ...plan.base }, cwd: plan.root, setting: PROXY_SETTING },
    { signal: stop.signal, graceMs: 2000, onLines: (lines, raw, ascii) => log.write(masker.maskChunk(lines, raw).text, ascii) },
  );
  const running: RunningProxy = {
    stop: async () => {
      stop.abort();
      await exited;
      await log.close();
    },
  };
  const waiting = new AbortController();
  const abortWait = () => waiting.abort();
  infra.signal.addEventListener('abort', abortWait, { once: true });
  const ready = await Promise.race([deps.waitPort('127.0.0.1', port, LISTEN_MS, waiting.signal), exited.then((result) => ({ exited: result }))]);
  waiting.abort();
  infra.signal.removeEventListener('abort', abortWait);
  if ('exited' in ready || !ready.ok) {
    const why = 'exited' in ready ? `it ended before listening (${ready.exited.reason ?? 'exit 0'})` : ready.reason;
    await running.stop();
    return { ok: false, reason: `--with-proxy: the proxy on port ${port} did not start: ${why}; see ${display(plan.root, logPath)}` };
  }
  return { ok: true, value: running };
}

/** curl through the proxy to the maven repository. */
async function probe(proxy: ProxyPlan, infra: InfraSession): Promise<string | null> {
  const asked = await infra.run(probeArgv(proxy.url), { timeoutMs: 10_000, capture: true, setting: 'curl (the proxy probe of --with-proxy)' });
  if (asked.ok || asked.cancelled) return null;
  return `--with-proxy: the proxy does not reach ${probeArgv(proxy.url).at(-1)}: ${asked.reason}`;
}

/** maven through a second proxy must resolve the Java echo function; through a dead one it must not. */
async function javaProof(plan: Plan, proxy: ProxyPlan, program: string[], infra: InfraSession, timeoutMs: number): Promise<string | null> {
  const source = display(plan.root, proxy.javaSource);
  if (!existsSync(proxy.javaSource)) return `--with-proxy: the Java proxy proof resolves ${source}, which is not there`;
  const port = await infra.deps.freePort();
  const second = await startProxy(plan, [...program, ...proxyArgs(port, proxy.noProxy)], port, proxy.proofLog, infra);
  if (!second.ok) return `the Java proxy proof: ${second.reason}`;
  const dir = mkdtempSync(join(tmpdir(), 'esb-e2e-proxy-'));
  try {
    const through = join(dir, 'through.xml');
    const dead = join(dir, 'dead.xml');
    writeFileAtomic(through, mavenSettings({ host: proxy.host, port }, proxy.noProxy));
    writeFileAtomic(dead, mavenSettings(DEAD_PROXY, proxy.noProxy));
    const run = (settings: string) => infra.run(javaProofArgv(proxy.javaSource, settings), { timeoutMs, setting: 'Docker (docker run)' });
    const proxied = await run(through);
    if (proxied.cancelled) return null;
    if (!proxied.ok) return `--with-proxy: the Java proxy proof failed: maven did not resolve ${source} through the proxy (${proxied.reason})`;
    const around = await run(dead);
    if (around.ok) return `--with-proxy: the Java proxy proof proves nothing: maven resolved ${source} through the dead proxy ${DEAD_PROXY.host}:${DEAD_PROXY.port} too`;
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await second.value.stop();
  }
}
