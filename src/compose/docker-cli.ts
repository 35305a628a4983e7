import { ComposeRunError } from './compose-errors';
import type { ProcessRunner } from './process-runner';

/** The balancer image's entry point: `probe PATH` prints that admin endpoint's answer. */
const PROBE = ['node', '/app/compose-lb.js', 'probe'];

/** The balancer's /replicas document, as text, asked inside its container. */
export async function probeReplicas(runner: ProcessRunner, container: string): Promise<string> {
  const result = await runner.capture('docker', ['exec', container, ...PROBE, '/replicas']);
  if (result.code !== 0) {
    throw new ComposeRunError(
      `cannot read the balancer's replicas (docker exec ${container.slice(0, 12)}): ${result.stderr.trim() || `exit code ${result.code}`}`,
    );
  }
  return result.stdout;
}

/** An image's repo digests (`name@sha256:...`); undefined when the image is not on this machine. */
export async function repoDigests(runner: ProcessRunner, image: string): Promise<string[] | undefined> {
  const result = await runner.capture('docker', ['image', 'inspect', '--format', '{{json .RepoDigests}}', image]);
  if (result.code !== 0) {
    if (/no such (image|object)/i.test(result.stderr)) return undefined;
    throw new ComposeRunError(
      `docker image inspect ${image} failed: ${result.stderr.trim() || `exit code ${result.code}`}`,
    );
  }
  const parsed: unknown = JSON.parse(result.stdout.trim() || 'null');
  return Array.isArray(parsed) ? parsed.filter((d): d is string => typeof d === 'string') : [];
}
