import type { ReplicasDocument } from '../../../src/admin/views';
import { containerIp, publishedUrl, type ComposeProject } from './compose';
import { run } from './exec';
import { waitFor } from './wait';

/**
 * The balancer of a test project as the test sees it: the published URL that
 * clients use, and the admin endpoint on the project's own network.
 */
export class BalancerHandle {
  private constructor(
    readonly project: ComposeProject,
    readonly containerId: string,
    readonly url: string,
    private readonly adminUrl: string,
    /** The balancer on its container IP: works when the published port does not (dockerd down). */
    readonly networkUrl: string,
  ) {}

  /** `port`: the container port clients use (80 for HTTP; a TCP balancer's service port). */
  static async of(project: ComposeProject, service = 'web-lb', port = 80): Promise<BalancerHandle> {
    const id = await project.oneContainer(service);
    const url = await publishedUrl(id, port);
    const ip = await containerIp(id);
    return new BalancerHandle(project, id, url, `http://${ip}:8081`, `http://${ip}`);
  }

  async replicas(): Promise<ReplicasDocument> {
    const res = await fetch(`${this.adminUrl}/replicas`);
    if (!res.ok) throw new Error(`/replicas answered ${res.status}`);
    return (await res.json()) as ReplicasDocument;
  }

  /** Every service the balancer balances, with its route. */
  async services(): Promise<readonly ReplicasDocument[]> {
    const res = await fetch(`${this.adminUrl}/services`);
    if (!res.ok) throw new Error(`/services answered ${res.status}`);
    return ((await res.json()) as { services: ReplicasDocument[] }).services;
  }

  async metrics(): Promise<string> {
    return (await fetch(`${this.adminUrl}/metrics`)).text();
  }

  /** Its log: `docker logs`, which under Compose v1 answers a second sooner than `compose logs`. */
  async logs(): Promise<string> {
    const { stdout, stderr } = await run('docker', ['logs', this.containerId]);
    return stdout + stderr;
  }

  /** Waits until exactly `n` replicas are ready (and none is in another state). */
  waitForReady(n: number, timeoutMs = 30_000): Promise<ReplicasDocument> {
    return waitFor(
      `${n} ready replicas`,
      async () => {
        const doc = await this.replicas();
        return doc.ready === n && doc.replicas.length === n ? doc : undefined;
      },
      { timeoutMs },
    );
  }
}

/** GET through the balancer; returns status, the replica that answered and the body. */
export async function get(url: string, init?: RequestInit): Promise<{ status: number; replica: string; body: string }> {
  const res = await fetch(url, init);
  const body = await res.text();
  return { status: res.status, replica: res.headers.get('x-replica') ?? '', body };
}

/**
 * True when `counts` spread `n` requests evenly over `replicas`, within one: a refused connect retried
 * on the next replica (a replica still booting) moves one request, and must not fail the test.
 */
export function evenlySpread(counts: ReadonlyMap<string, number>, replicas: readonly string[], n: number): boolean {
  const ideal = n / replicas.length;
  const values = replicas.map((r) => counts.get(r) ?? 0);
  return [...counts.keys()].every((r) => replicas.includes(r)) && values.reduce((a, b) => a + b, 0) === n && values.every((v) => Math.abs(v - ideal) <= 1);
}

/** Sends `n` requests one after another and counts them per replica. */
export async function countByReplica(url: string, n: number): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const { status, replica } = await get(url);
    if (status !== 200) throw new Error(`request ${i} answered ${status}`);
    counts.set(replica, (counts.get(replica) ?? 0) + 1);
  }
  return counts;
}
