import { ComposeInputError } from '../compose/compose-errors';
import type { StatusDocument } from '../admin/status-document';
import type { ReplicasDocument } from '../admin/views';
import { shortId } from './docker-cli';
import { whyFailed, type ProcessRunner } from './process-runner';
import {
  balancerError,
  parseDrainAnswer,
  parseReplicasDocument,
  parseServicesDocument,
  parseStatusDocument,
  type DrainAnswer,
  type ServicesDocument,
} from './replicas-report';
import { ComposeRunError } from './runtime-errors';

/**
 * The balancer image's entry point: `probe [--method POST] PATH` prints that
 * admin endpoint's answer and exits 1 unless it is 2xx. Only this way in: drain
 * and undrain are refused (403) from outside the balancer's container.
 */
const PROBE = ['node', '/app/compose-lb.js', 'probe'];

/**
 * The status behind a failed probe, from the message src/cli/probe-command.ts
 * prints ("admin endpoint answered 404"); the body alone does not tell a
 * 404 from a 500.
 */
const ANSWERED = /admin endpoint answered (\d{3})/;

/** How often to ask the balancer while waiting for it: a docker exec costs ~100 ms. */
export const POLL_MS = 500;

/** A path of the balancer's admin endpoint about one of its services: a balancer may balance several. */
function forService(path: string, service: string): string {
  return `${path}?service=${encodeURIComponent(service)}`;
}

/** GET `path` inside the balancer's container; a failure says what the balancer said, when it said why. */
async function ask(runner: ProcessRunner, container: string, path: string, what: string): Promise<string> {
  const result = await runner.capture('docker', ['exec', container, ...PROBE, path]);
  if (result.code === 0) return result.stdout;
  const why = balancerError(result.stdout) ?? whyFailed(result);
  throw new ComposeRunError(`cannot read the balancer's ${what} (docker exec ${shortId(container)}): ${why}`);
}

/** The balancer's /replicas document for `service`, asked inside its container. */
export async function readReplicas(
  runner: ProcessRunner,
  container: string,
  service: string,
): Promise<ReplicasDocument> {
  const text = await ask(runner, container, forService('/replicas', service), `replicas of ${service}`);
  return parseReplicasDocument(text);
}

/** Every service the balancer balances, with its route and replicas (/services). */
export async function readServices(runner: ProcessRunner, container: string): Promise<ServicesDocument> {
  return parseServicesDocument(await ask(runner, container, '/services', 'services'));
}

/** What the balancer's status page shows, as JSON (/status): every service, its replicas' last minute, recent events. */
export async function readStatus(runner: ProcessRunner, container: string): Promise<StatusDocument> {
  return parseStatusDocument(await ask(runner, container, '/status', 'status'));
}

/**
 * Takes a replica of `service` out of rotation (`drain`) or puts it back.
 * `ref` is its name, Compose number or container ID, as the balancer resolves
 * it. An unknown or ambiguous ref is the user's mistake (exit 2), with the
 * balancer's words.
 */
export async function setDrained(
  runner: ProcessRunner,
  container: string,
  service: string,
  ref: string,
  drain: boolean,
): Promise<DrainAnswer> {
  const path = forService(`/replicas/${encodeURIComponent(ref)}/${drain ? 'drain' : 'undrain'}`, service);
  const result = await runner.capture('docker', ['exec', container, ...PROBE, '--method', 'POST', path]);
  if (result.code === 0) return parseDrainAnswer(result.stdout);
  const error = balancerError(result.stdout);
  const status = ANSWERED.exec(result.stderr)?.[1];
  if (error !== undefined && (status === '404' || status === '409')) throw new ComposeInputError('replica-ref', error);
  throw new ComposeRunError(
    `cannot ${drain ? 'drain' : 'undrain'} ${ref} (docker exec ${shortId(container)}): ${error ?? whyFailed(result)}`,
  );
}
