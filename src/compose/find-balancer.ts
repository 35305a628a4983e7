import { OPTIONS } from '../config';
import { readRecord, type AddRecord } from './add-record';
import { serviceConfig, serviceNames, type ComposeFile, type ServiceConfig } from './compose-file';
import { isRecord, scalarList } from './plain-values';

/** A compose-lb service in a compose file and the service it balances. */
export interface Balancer {
  readonly name: string;
  readonly service: string;
  /** Present when `compose-lb add` wrote it (and `remove` may undo it). */
  readonly record: AddRecord | undefined;
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
  return balancers(file).find((b) => b.service === service);
}

function asBalancer(name: string, config: ServiceConfig): Balancer | undefined {
  const record = readRecord(config);
  const service = record?.service ?? environmentValue(config['environment'], OPTIONS.services.env);
  return service === undefined ? undefined : { name, service, record };
}

/** A variable from `environment:` in either form: a mapping, or a list of `NAME=value`. */
function environmentValue(environment: unknown, variable: string): string | undefined {
  if (isRecord(environment)) {
    const value = environment[variable];
    return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
  }
  const entry = scalarList(environment).find((e) => e.startsWith(`${variable}=`));
  return entry?.slice(variable.length + 1);
}
