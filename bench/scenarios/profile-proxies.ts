import { readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { BenchContext } from '../context';
import { capture } from '../docker/compose-stack';
import { SUT_CPU } from '../host/host-process';
import { cpuMsOf, UsageMeter } from '../host/proc-stat';
import { startScriptProxy, type HostProxy } from '../host/proxies';
import { LOAD_CPU, runLoad } from '../load/run-load';
import { BALANCER_BUNDLE } from '../paths';
import { bundleLocator } from '../profile/bundle-locator';
import { flameGraphSvg } from '../profile/flame-graph';
import { summarizeProfile, type CpuProfile, type Locate, type ProfileSummary } from '../profile/profile-summary';
import { loadStatus } from '../report/progress';
import { OVERHEAD_TARGETS } from '../targets';
import { balancerInFront, type FastReplica } from './fast-replica';

export interface ProfiledProxy {
  readonly label: string;
  readonly reqPerSec: number;
  /** CPU per request while profiled (the profiler's own cost included). */
  readonly cpuUsPerReq: number;
  readonly summary: ProfileSummary;
  /** Beside latest.json: the raw profile (Chrome DevTools or speedscope open it) and its flame graph. */
  readonly files: { readonly profile: string; readonly flameGraph: string };
}

export interface ProfileResult {
  readonly composeLb: ProfiledProxy;
  /** The same for the plain Node proxies (undici, http-proxy): what compose-lb adds shows as the difference. */
  readonly references: readonly ProfiledProxy[];
}

/** Node writes a profile only on a normal exit; the plain scripts have no SIGTERM handler of their own. */
const EXIT_ON_SIGTERM = 'data:text/javascript,process.on("SIGTERM",()=>process.exit(0))';

/**
 * compose-lb and the plain Node proxies, each started again with
 * `--cpu-prof` under the overhead load: separate runs, so the profiler's cost
 * never touches the measured rounds.
 *
 * V8 samples wall-clock time: sharing CPU 1 with the replica, a proxy is often
 * preempted by the replica it just woke (inside a socket write), and those
 * samples would show as its own. So for these runs the replica moves to CPU 0,
 * and each proxy has CPU 1 to itself: its busy samples are then its CPU time.
 */
export async function profileProxies(ctx: BenchContext, fast: FastReplica, path: string): Promise<ProfileResult> {
  const { replica } = fast;
  const dir = resolve(ctx.options.outDir);
  await capture('docker', ['update', '--cpuset-cpus', LOAD_CPU, replica.id]);
  try {
    const composeLb = await profileOne(ctx, 'compose-lb', path, dir, bundleLocator(BALANCER_BUNDLE), (nodeArgs) =>
      balancerInFront(ctx, fast, { nodeArgs }),
    );
    const references: ProfiledProxy[] = [];
    for (const target of OVERHEAD_TARGETS) {
      // The HTTP proxies only: their profiles sit side by side with compose-lb's HTTP path.
      if (target.kind !== 'script' || target.mode !== 'http') continue;
      const start = (nodeArgs: readonly string[]): Promise<HostProxy> =>
        startScriptProxy(target.script, `${replica.ip}:80`, ctx.cleanup, ['--import', EXIT_ON_SIGTERM, ...nodeArgs]);
      references.push(await profileOne(ctx, target.id, path, dir, () => undefined, start));
    }
    return { composeLb, references };
  } finally {
    await capture('docker', ['update', '--cpuset-cpus', SUT_CPU, replica.id]);
  }
}

async function profileOne(
  ctx: BenchContext,
  name: string,
  path: string,
  dir: string,
  locate: Locate,
  start: (nodeArgs: readonly string[]) => Promise<HostProxy>,
): Promise<ProfiledProxy> {
  const profileFile = `${name}.cpuprofile`;
  const flameFile = `${name}-flame.svg`;
  await rm(join(dir, profileFile), { force: true });
  const proxy = await start(['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-name', profileFile]);
  const seconds = ctx.plan.overhead.profileSec;
  const meter = new UsageMeter([proxy.process.pid]);
  const load = await runLoad(
    { url: `${proxy.url}${path}`, connections: ctx.plan.overhead.connections, durationSec: seconds },
    {
      cleanup: ctx.cleanup,
      ownAddresses: ctx.ownAddresses,
      onProgress: (n, t) => ctx.progress.status(loadStatus(`profiling ${name} (--cpu-prof)`, n, t, seconds)),
    },
  );
  const usage = meter.read().get(proxy.process.pid);
  const cpuMs = usage === undefined ? Number.NaN : cpuMsOf(usage);
  await proxy.process.stop(15_000);
  const text = await readFile(join(dir, profileFile), 'utf8').catch(() => {
    throw new Error(`${name} wrote no profile; its output:\n${proxy.process.output()}`);
  });
  const profile = JSON.parse(text) as CpuProfile;
  const title = `${name} under ${ctx.plan.overhead.connections} connections, ${seconds} s (busy samples)`;
  await writeFile(join(dir, flameFile), flameGraphSvg(profile, locate, title));
  return {
    label: name,
    reqPerSec: load.reqPerSec,
    cpuUsPerReq: load.requests === 0 ? Number.NaN : (cpuMs * 1000) / load.requests,
    summary: summarizeProfile(profile, locate),
    files: { profile: profileFile, flameGraph: flameFile },
  };
}
