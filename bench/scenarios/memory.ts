import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchContext } from '../context';
import { rssBytes } from '../host/proc-stat';
import { QuietCheck } from '../host/quiet-check';
import { runLoad } from '../load/run-load';
import { loadStatus } from '../report/progress';
import { slope } from '../stats';
import { balancerInFront, startFastReplica } from './fast-replica';

export interface MemorySample {
  readonly requests: number;
  readonly rssMb: number;
}

export interface MemoryResult {
  readonly connections: number;
  readonly warmupRequests: number;
  readonly requests: number;
  readonly reqPerSec: number;
  readonly failures: number;
  readonly rssAfterWarmupMb: number;
  readonly samples: readonly MemorySample[];
  readonly rssMaxMb: number;
  readonly rssFinalMb: number;
  /** After the load, once idle for a few seconds. */
  readonly rssIdleMb: number;
  readonly growthMb: number;
  readonly growthPct: number;
  /** The trend over the samples (least squares), in MB per 100,000 requests: a leak climbs steadily. */
  readonly trendMbPer100k: number;
  /** CPU that processes outside the bench used during the run, as a share of one CPU. */
  readonly othersCpuPct: number;
  readonly othersBy: string;
}

const MB = 2 ** 20;
/** Let the last responses' garbage be collected before reading RSS. */
const SETTLE_MS = 1_000;

/**
 * A million requests through compose-lb (on the host, like overhead, so its RSS
 * is read straight from /proc) in slices, RSS read after each: memory that
 * grows with requests shows as a slope, not as noise.
 */
export async function runMemory(ctx: BenchContext): Promise<MemoryResult> {
  const plan = ctx.plan.memory;
  try {
    const balancer = await balancerInFront(ctx, await startFastReplica(ctx, 'memory'));
    const pid = balancer.process.pid;
    const slice = Math.ceil(plan.requests / plan.slices);
    let done = 0;
    let seconds = 0;
    let failures = 0;
    const run = async (amount: number, what: (n: number) => string): Promise<void> => {
      const load = await runLoad(
        { url: `${balancer.url}/fast`, connections: plan.connections, amount },
        {
          cleanup: ctx.cleanup,
          ownAddresses: ctx.ownAddresses,
          // Bounded even if compose-lb crawls: at least 2,000 req/s or the slice is cut short.
          deadlineSec: Math.max(60, amount / 2_000),
          onProgress: (n, t) => ctx.progress.status(loadStatus(what(n), n, t)),
        },
      );
      failures += load.non2xx + load.errors + load.timeouts;
      seconds += load.durationSec;
    };
    await run(plan.warmupRequests, (n) => `memory warm-up · ${n.toLocaleString('en-US')} requests`);
    seconds = 0;
    await sleep(SETTLE_MS, undefined, { signal: ctx.cleanup.signal });
    const rssAfterWarmup = rssBytes(pid);
    const samples: MemorySample[] = [];
    const quiet = new QuietCheck();
    while (done < plan.requests) {
      const amount = Math.min(slice, plan.requests - done);
      await run(amount, (n) => `memory · ${(done + n).toLocaleString('en-US')}/${plan.requests.toLocaleString('en-US')} requests`);
      done += amount;
      await sleep(SETTLE_MS, undefined, { signal: ctx.cleanup.signal });
      samples.push({ requests: done, rssMb: rssBytes(pid) / MB });
    }
    const others = quiet.read();
    await sleep(3_000, undefined, { signal: ctx.cleanup.signal });
    const rssIdle = rssBytes(pid) / MB;
    const rssFinal = samples.at(-1)?.rssMb ?? rssAfterWarmup / MB;
    return {
      connections: plan.connections,
      warmupRequests: plan.warmupRequests,
      requests: done,
      reqPerSec: seconds > 0 ? done / seconds : 0,
      failures,
      rssAfterWarmupMb: rssAfterWarmup / MB,
      samples,
      rssMaxMb: Math.max(...samples.map((s) => s.rssMb)),
      rssFinalMb: rssFinal,
      rssIdleMb: rssIdle,
      growthMb: rssFinal - rssAfterWarmup / MB,
      growthPct: (100 * (rssFinal - rssAfterWarmup / MB)) / (rssAfterWarmup / MB),
      trendMbPer100k: slope(samples.map((s) => [s.requests / 100_000, s.rssMb] as const)),
      othersCpuPct: others.pctOfCpu,
      othersBy: others.by,
    };
  } finally {
    await ctx.cleanup.runAll((line) => ctx.progress.log(line));
  }
}
