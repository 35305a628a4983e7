import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { spawnRunner } from '../../src/runtime/spawn-runner';
import { LOAD_CPU } from '../load/run-load';
import { SUT_CPU } from './host-process';

export interface Machine {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGb: number;
  readonly kernel: string;
  readonly node: string;
  readonly haproxy: string;
  readonly docker: string;
  readonly compose: string;
  readonly autocannon: string;
  readonly pinning: string;
}

/** The model name line of /proc/cpuinfo. Pure. */
export function cpuModelFrom(cpuinfo: string): string | undefined {
  return /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim();
}

async function firstLine(program: string, args: readonly string[]): Promise<string> {
  const { code, stdout } = await spawnRunner.capture(program, args);
  return code === 0 ? (stdout.split('\n')[0] ?? '').trim() : 'unknown';
}

function autocannonVersion(): string {
  try {
    // Resolved at run time: autocannon stays outside the bundle (see scripts/build.mjs).
    return (require('autocannon/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export async function describeMachine(haproxy: string): Promise<Machine> {
  let cpuinfo = '';
  try {
    cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    cpuinfo = '';
  }
  return {
    cpuModel: cpuModelFrom(cpuinfo) ?? cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    haproxy,
    docker: await firstLine('docker', ['version', '--format', '{{.Server.Version}}']),
    compose: await firstLine('docker', ['compose', 'version', '--short']),
    autocannon: autocannonVersion(),
    pinning: `load generator on CPU ${LOAD_CPU} (taskset); proxies and replicas on CPU ${SUT_CPU} (taskset, cpuset)`,
  };
}
