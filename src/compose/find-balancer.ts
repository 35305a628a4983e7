import { OPTIONS, type Mode } from '../config';
import { readRecord, recordEntries, type BalancerRecord } from './add-record';
import { serviceConfig, serviceNames, type ComposeFile, type ServiceConfig } from './compose-file';
import { isRecord, scalarList } from './plain-values';

/** A compose-lb service in a compose file and the services it balances. */
export interface Balancer {
  readonly name: string;
  /** LB_SERVICE as a list, in its order; the record's services where LB_SERVICE is missing. */
  readonly services: readonly string[];
  /** LB_MODE: a TCP balancer forwards connections unread, so it never routes. */
  readonly mode: Mode;
  /** Present when `compose-lb add` wrote it (and `remove` may undo it). */
  readonly record: BalancerRecord | undefined;
}

/**
 * Every balancer in the file: services written by `compose-lb add` (they carry
 * the record), and hand-written ones recognised by their LB_SERVICE setting.
 */
export function balancers(file: ComposeFile): Balancer[] {
  const found: Balancer[] = [];
  for (const name of serviceNames(file)) {
    const balancer = asBalancer(name, serviceConfig(file, name));
    if (balancer) found.push(balancer);
  }
  return found;
}

/** The balancer in front of `service`, if there is one. */
export function balancerOf(file: ComposeFile, service: string): Balancer | undefined {
  return balancers(file).find((b) => b.services.includes(service));
}

function asBalancer(name: string, config: ServiceConfig): Balancer | undefined {
  const record = readRecord(config);
  const listed = environmentValue(config['environment'], OPTIONS.services.env);
  const services =
    listed !== undefined ? parseServiceList(listed) : record && recordEntries(record).map((e) => e.service);
  if (services === undefined) return undefined;
  const mode = environmentValue(config['environment'], OPTIONS.mode.env)?.trim() === 'tcp' ? 'tcp' : 'http';
  return { name, services, mode, record };
}

/** LB_SERVICE's comma-separated list, as the balancer reads it (src/config.ts). */
export function parseServiceList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** A variable from `environment:` in either form: a mapping, or a list of `NAME=value`. */
export function environmentValue(environment: unknown, variable: string): string | undefined {
  if (isRecord(environment)) {
    const value = environment[variable];
    return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
  }
  const entry = scalarList(environment).find((e) => e.startsWith(`${variable}=`));
  return entry?.slice(variable.length + 1);
}
