import autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
import { LatencyHistogram } from '../latency-histogram';
import type { FromWorker, LoadJob, LoadResult, ToWorker } from './load-types';
import { PhaseRecorder } from './phase-recorder';
import { ReplicaTracker, replicaFromParserInfo } from './replica-tracker';

/**
 * The load generator: runs in its own process, pinned to CPU 0 by the parent
 * (`taskset -c 0`), so its CPU never competes with the proxy under test.
 * Talks to the parent over the IPC channel only.
 */
export function runLoadWorker(): void {
  process.once('message', (message: ToWorker) => {
    if (message.type !== 'start') return;
    try {
      start(message.job);
    } catch (err) {
      send({ type: 'failed', message: (err as Error).message });
    }
  });
}

function send(message: FromWorker): void {
  process.send?.(message);
}

/** Epoch milliseconds with sub-millisecond resolution, comparable with Docker's event times. */
const epochMs = (): number => performance.timeOrigin + performance.now();

function start(job: LoadJob): void {
  const histogram = new LatencyHistogram();
  const tracker = job.trackReplicas === true ? new ReplicaTracker() : undefined;
  const cpuBefore = process.cpuUsage();
  const startedAt = epochMs();
  const phases = new PhaseRecorder(job.phase ?? 'whole run', startedAt);
  const instance = autocannon(
    {
      url: job.url,
      connections: job.connections,
      ...(job.amount !== undefined ? { amount: job.amount } : { duration: job.durationSec ?? 10 }),
      timeout: job.requestTimeoutSec ?? 10,
      ...(job.headers !== undefined ? { headers: { ...job.headers } } : {}),
      setupClient: (client) => {
        let replica: string | undefined;
        if (tracker !== undefined) client.on('headers', (info: unknown) => (replica = replicaFromParserInfo(info)));
        client.on('response', (status: number, _bytes: number, ms: number) => {
          histogram.record(ms * 1000);
          phases.response(status, ms * 1000, replica);
          if (tracker !== undefined && replica !== undefined) tracker.record(replica);
          replica = undefined;
        });
      },
    },
    (err, result) => {
      if (err) return finish({ type: 'failed', message: String(err) });
      const cpu = process.cpuUsage(cpuBefore);
      const statusCodes: Record<string, number> = {};
      for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) {
        statusCodes[code] = (stat as { count: number }).count;
      }
      const split = phases.finish(epochMs());
      const errorCodes: Record<string, number> = {};
      for (const [code, n] of split.flatMap((p) => Object.entries(p.errorCodes))) errorCodes[code] = (errorCodes[code] ?? 0) + n;
      const load: LoadResult = {
        requests: result.requests.total,
        durationSec: result.duration,
        reqPerSec: result.duration > 0 ? result.requests.total / result.duration : 0,
        non2xx: result.non2xx,
        errors: result.errors - result.timeouts,
        timeouts: result.timeouts,
        statusCodes,
        errorCodes,
        latency: histogram.summary(),
        loadCpuMs: (cpu.user + cpu.system) / 1000,
        replicas: tracker?.tallies() ?? {},
        startedAt,
        phases: split,
      };
      finish({ type: 'result', result: load });
    },
  );
  let requests = 0;
  // autocannon passes { counter, bytes } for the last second; its typings say nothing is passed.
  instance.on('tick', (...args: unknown[]) => {
    requests += (args[0] as { counter?: number } | undefined)?.counter ?? 0;
    send({ type: 'progress', requests, elapsedSec: (epochMs() - startedAt) / 1000 });
  });
  instance.on('reqError', (err: unknown) => {
    phases.error((err as { code?: string } | undefined)?.code ?? (err as Error | undefined)?.message ?? 'unknown');
  });
  process.on('message', (message: ToWorker) => {
    if (message.type === 'stop') instance.stop();
    else if (message.type === 'mark') phases.mark(message.phase, epochMs());
  });
}

function finish(message: FromWorker): void {
  // Exit only once the parent has the message: the IPC send is asynchronous.
  process.send?.(message, () => process.exit(0));
}
