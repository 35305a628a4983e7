import { whyFailed, type ProcessRunner } from './process-runner';
import { ComposeRunError } from './runtime-errors';

/** Runs `docker ARGS`; its stdout, or ComposeRunError with what docker said. */
export async function docker(runner: ProcessRunner, args: readonly string[]): Promise<string> {
  const result = await runner.capture('docker', args);
  if (result.code !== 0) {
    throw new ComposeRunError(
      `\`docker ${args.join(' ')}\` failed: ${whyFailed(result)}`,
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
      `docker image inspect ${image} failed: ${whyFailed(result)}`,
    );
  }
  const parsed: unknown = JSON.parse(result.stdout.trim() || 'null');
  return Array.isArray(parsed) ? parsed.filter((d): d is string => typeof d === 'string') : [];
}

/** A program's output as its lines, trimmed, without empty ones: `ps -q` prints one ID a line. */
export function nonEmptyLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** How messages name a container: the 12 characters `docker ps` shows. */
export function shortId(id: string): string {
  return id.slice(0, 12);
}
