import type { Balancer } from '../compose/find-balancer';
import { readStatus } from '../runtime/balancer-admin';
import { statusFrame } from '../runtime/live-status';
import { watchStatus } from '../runtime/watch-status';
import type { BalancerLocator } from './balancer-target';
import type { ComposeCliDeps } from './compose-cli-deps';

/** A balancer to show, with one of its services or (undefined) all of them. */
export interface StatusTarget {
  readonly balancer: Balancer;
  readonly service: string | undefined;
}

/**
 * `status --watch`: every second, each balancer's /status as a frame, until
 * Ctrl-C, which ends it as asked (exit 0). A balancer that does not answer is
 * a line in the frame, not the end: it may be restarting, and the next frame
 * looks for its container again.
 */
export async function watchBalancers(
  targets: readonly StatusTarget[],
  locator: BalancerLocator,
  deps: ComposeCliDeps,
): Promise<void> {
  const containers = new Map<string, string>();
  const part = async ({ balancer: { name }, service }: StatusTarget): Promise<string> => {
    try {
      const container = containers.get(name) ?? (await locator.find(name));
      if (container === undefined) return `${locator.missing(name)}\n`;
      containers.set(name, container);
      return statusFrame(await readStatus(deps.runner, container), name, service);
    } catch (err) {
      containers.delete(name);
      return `${name}: ${(err as Error).message}\n`;
    }
  };
  const frame = async (): Promise<string> => {
    const parts: string[] = [];
    for (const target of targets) parts.push(await part(target));
    return parts.join('\n');
  };
  const interrupt = new AbortController();
  const stopListening = deps.interrupts.onInterrupt(() => interrupt.abort());
  try {
    const { clock, stdout: write, terminal } = deps;
    await watchStatus({ clock, frame, write, terminal, signal: interrupt.signal });
  } finally {
    stopListening();
  }
}
