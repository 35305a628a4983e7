import type { BenchContext } from '../context';
import { cpuMsOf, UsageMeter } from '../host/proc-stat';
import { QuietCheck } from '../host/quiet-check';
import type { LoadJob, LoadResult } from '../load/load-types';
import { runLoad } from '../load/run-load';
import { loadStatus } from '../report/progress';
import type { NamedTarget } from '../targets';
import { interleave, type OverheadRun } from './overhead-summary';

/** Where a target is reached, and which host process is the proxy (none for the replica directly). */
export interface Endpoint {
  readonly url: string;
  readonly proxyPid: number | undefined;
}

export interface RoundsOptions {
  /** For the progress line, e.g. `overhead`. */
  readonly scenario: string;
  readonly targets: readonly NamedTarget[];
  readonly endpoint: (id: string) => Endpoint;
  /** The replica every target ends at, whose CPU is measured too. */
  readonly replicaPid: number;
  /** The load, but for its URL (the endpoint's, plus this path) and length. */
  readonly job: Omit<LoadJob, 'url' | 'durationSec'> & { readonly path: string };
  readonly warmupSec: number;
  readonly durationSec: number;
  readonly rounds: number;
}

/**
 * A warm-up of every target, then `rounds` rounds in which every target runs
 * once, in an order rotated each round (a noisy stretch of the machine then
 * hits every target alike), measuring the CPU and context switches of the proxy
 * and the replica, and what other processes used meanwhile.
 */
export async function interleavedRounds(ctx: BenchContext, opts: RoundsOptions): Promise<OverheadRun[]> {
  const { path, ...job } = opts.job;
  const load = (id: string, what: string, durationSec: number): Promise<LoadResult> =>
    runLoad(
      { ...job, url: `${opts.endpoint(id).url}${path}`, durationSec },
      {
        cleanup: ctx.cleanup,
        ownAddresses: ctx.ownAddresses,
        onProgress: (requests, elapsed) => ctx.progress.status(loadStatus(what, requests, elapsed, durationSec)),
      },
    );
  for (const target of opts.targets) await load(target.id, `${opts.scenario} warm-up · ${target.label}`, opts.warmupSec);
  const runs: OverheadRun[] = [];
  for (let round = 0; round < opts.rounds; round++) {
    for (const target of interleave(opts.targets, round)) {
      const what = `${opts.scenario} round ${round + 1}/${opts.rounds} · ${target.label}`;
      const measured = await measureRun(target.id, opts.endpoint(target.id), opts.replicaPid, () => load(target.id, what, opts.durationSec));
      runs.push({ ...measured, round: round + 1 });
    }
  }
  return runs;
}

async function measureRun(
  target: string,
  endpoint: Endpoint,
  replicaPid: number,
  run: () => Promise<LoadResult>,
): Promise<Omit<OverheadRun, 'round'>> {
  const pids = endpoint.proxyPid === undefined ? [replicaPid] : [replicaPid, endpoint.proxyPid];
  const meter = new UsageMeter(pids);
  const quiet = new QuietCheck();
  const load = await run();
  const usage = meter.read();
  const others = quiet.read();
  const replica = usage.get(replicaPid);
  return {
    target,
    requests: load.requests,
    durationSec: load.durationSec,
    reqPerSec: load.reqPerSec,
    p50Us: load.latency.p50Us,
    p99Us: load.latency.p99Us,
    non2xx: load.non2xx,
    errors: load.errors,
    timeouts: load.timeouts,
    proxy: endpoint.proxyPid === undefined ? undefined : usage.get(endpoint.proxyPid),
    replicaCpuMs: replica === undefined ? Number.NaN : cpuMsOf(replica),
    loadCpuMs: load.loadCpuMs,
    othersCpuPct: others.pctOfCpu,
    othersBy: others.by,
  };
}
