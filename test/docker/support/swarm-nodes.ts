import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './exec';
import { waitFor } from './wait';

/** One engine of the test cluster: a dockerd in its own network namespace. */
export interface SwarmNode {
  /** Its address on the test's bridge, where its published ports answer. */
  readonly address: string;
  /** DOCKER_HOST for it. */
  readonly host: string;
  /** Its API socket's path on this machine (a bind mount source for discovery). */
  readonly socket: string;
  docker(...args: string[]): Promise<string>;
}

export interface SwarmNodes {
  /** The manager first, then the workers. */
  readonly nodes: readonly SwarmNode[];
  /** Stops the engines and removes the namespaces, the bridge, the firewall rule and the data. */
  remove(): Promise<void>;
}

const sh = (...args: string[]) => run(args[0] ?? '', args.slice(1));

function readFileIfAny(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

/**
 * A swarm of `count` engines on this one machine, so tasks land on more than one node and reach
 * each other over the overlay network (VXLAN between the namespaces, as between hosts). Each engine
 * runs in a network namespace of its own, joined by a bridge the test makes (10.213.N.0/24), with
 * its own socket, data root and exec root. Entered with nsenter rather than `ip netns exec`, which
 * remounts /sys and hides the cgroup mounts dockerd needs. The main engine is not touched, except
 * that its FORWARD policy (DROP) gets one rule letting the bridge's own traffic through.
 * `images` are copied in from the main engine (no registry here).
 */
export async function startSwarmNodes(count: number, images: readonly string[]): Promise<SwarmNodes> {
  const id = (process.pid % 200) + 20;
  const bridge = `clbbr${id}`;
  const state = mkdtempSync('/var/tmp/clb-swarm-nodes-');
  const names = Array.from({ length: count }, (_, i) => `clbn${id}x${i}`);
  const nodes: SwarmNode[] = [];
  const remove = async (): Promise<void> => {
    for (const [i, name] of names.entries()) {
      // Without live-restore an engine stops its containers as it stops.
      const pid = Number(readFileIfAny(join(state, `docker${i}.pid`)));
      if (pid > 0) {
        await sh('kill', '-TERM', String(pid)).catch(() => undefined);
        await waitFor(`the engine of ${name} to stop`, async () => sh('kill', '-0', String(pid)).then(() => false, () => true), {
          timeoutMs: 60_000,
        }).catch(() => undefined);
      }
      await sh('ip', 'netns', 'del', name).catch(() => undefined);
      await sh('ip', 'link', 'del', `${name}v`).catch(() => undefined);
    }
    await sh('iptables', '-D', 'DOCKER-USER', '-i', bridge, '-o', bridge, '-j', 'ACCEPT').catch(() => undefined);
    await sh('ip', 'link', 'del', bridge).catch(() => undefined);
    // Mounts a killed engine left behind would make the data undeletable.
    const { stdout } = await sh('findmnt', '-rn', '-o', 'TARGET').catch(() => ({ stdout: '' }));
    for (const mount of stdout.split('\n').filter((m) => m.startsWith(state)).reverse()) {
      await sh('umount', '-l', mount).catch(() => undefined);
    }
    rmSync(state, { recursive: true, force: true });
  };

  try {
    await sh('ip', 'link', 'add', bridge, 'type', 'bridge');
    await sh('ip', 'addr', 'add', `10.213.${id}.1/24`, 'dev', bridge);
    await sh('ip', 'link', 'set', bridge, 'up');
    await sh('iptables', '-I', 'DOCKER-USER', '-i', bridge, '-o', bridge, '-j', 'ACCEPT');
    for (const [i, name] of names.entries()) {
      const address = `10.213.${id}.${i + 11}`;
      const inside = (...args: string[]) => sh('nsenter', `--net=/run/netns/${name}`, ...args);
      await sh('ip', 'netns', 'add', name);
      await sh('ip', 'link', 'add', `${name}v`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', name);
      await sh('ip', 'link', 'set', `${name}v`, 'master', bridge, 'up');
      await inside('ip', 'addr', 'add', `${address}/24`, 'dev', 'eth0');
      await inside('ip', 'link', 'set', 'eth0', 'up');
      await inside('ip', 'link', 'set', 'lo', 'up');
      await inside('ip', 'route', 'add', 'default', 'via', `10.213.${id}.1`);
      const socket = join(state, `docker${i}.sock`);
      mkdirSync(join(state, `data${i}`));
      const log = openSync(join(state, `dockerd${i}.log`), 'a');
      const engine = ['--host', `unix://${socket}`, '--data-root', join(state, `data${i}`), '--exec-root', join(state, `exec${i}`), '--pidfile', join(state, `docker${i}.pid`)];
      // Swarm pulls a task's image before it starts it, even when the node has it. In these network
      // namespaces a registry lookup waits out a DNS timeout (about 20 s a task) and then uses the
      // loaded image anyway; with this, as in Moby's own integration tests, the engine uses it at once.
      const env = { ...process.env, DOCKER_SERVICE_PREFER_OFFLINE_IMAGE: '1' };
      spawn('setsid', ['nsenter', `--net=/run/netns/${name}`, 'dockerd', ...engine], { detached: true, stdio: ['ignore', log, log], env }).unref();
      const host = `unix://${socket}`;
      const docker = async (...args: string[]) => (await run('docker', ['-H', host, ...args], { timeoutMs: 180_000 })).stdout.trim();
      await waitFor(`the engine of ${name}`, () => docker('info').then(() => true, () => false), { timeoutMs: 60_000 });
      nodes.push({ address, host, socket, docker });
    }
    const [manager, ...workers] = nodes;
    if (!manager) throw new Error('a swarm needs a node');
    await manager.docker('swarm', 'init', '--advertise-addr', manager.address);
    const token = await manager.docker('swarm', 'join-token', '-q', 'worker');
    for (const worker of workers) await worker.docker('swarm', 'join', '--token', token, `${manager.address}:2377`);
    await waitFor(`${count} ready nodes`, async () => (await manager.docker('node', 'ls', '--format', '{{.Status}}')).split('\n').filter((s) => s === 'Ready').length === count, {
      timeoutMs: 60_000,
    });
    for (const node of nodes) {
      await run('sh', ['-c', `docker save ${images.join(' ')} | docker -H ${node.host} load`], { timeoutMs: 180_000 });
    }
    return { nodes, remove };
  } catch (err) {
    await remove();
    throw err;
  }
}
