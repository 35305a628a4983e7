import { ConfigError } from './errors';
import { parseCidr, type Cidr } from './proxy/cidr';

export const STRATEGIES = ['round-robin', 'least-conn'] as const;
export type Strategy = (typeof STRATEGIES)[number];

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Everything `compose-lb serve` needs, validated. Durations are in milliseconds. */
export interface Config {
  readonly service: string;
  readonly project: string | undefined;
  readonly network: string | undefined;
  readonly targetPort: number | undefined;
  readonly listenHost: string | undefined;
  readonly listenPort: number;
  readonly adminHost: string | undefined;
  readonly adminPort: number;
  readonly strategy: Strategy;
  readonly logLevel: LogLevel;
  readonly accessLog: boolean;
  readonly resyncInterval: number;
  readonly connectTimeout: number;
  readonly responseTimeout: number;
  readonly upstreamIdleTimeout: number;
  readonly retries: number;
  readonly shutdownTimeout: number;
  readonly trustedProxies: readonly Cidr[];
}

export type ConfigKey = keyof Config;

interface OptionDoc {
  readonly env: string;
  /** commander flag syntax, e.g. `--listen-port <port>` */
  readonly flag: string;
  readonly help: string;
  readonly default?: string;
}

/**
 * One table for environment variables, `serve` flags and the README's
 * configuration section, so the three cannot drift apart.
 */
export const OPTIONS: { readonly [K in ConfigKey]: OptionDoc } = {
  service: { env: 'LB_SERVICE', flag: '--service <name>', help: 'Compose service to balance (required)' },
  project: {
    env: 'LB_PROJECT',
    flag: '--project <name>',
    help: "Compose project; default: the balancer container's own project label",
  },
  network: {
    env: 'LB_NETWORK',
    flag: '--network <name>',
    help: 'network to reach replicas on; default: the one they share with the balancer',
  },
  targetPort: {
    env: 'LB_TARGET_PORT',
    flag: '--target-port <port>',
    help: "replicas' port; default: the single port their image exposes",
  },
  listenHost: { env: 'LB_LISTEN_HOST', flag: '--listen-host <addr>', help: 'address to listen on; default: all' },
  listenPort: { env: 'LB_LISTEN_PORT', flag: '--listen-port <port>', help: 'port to listen on', default: '80' },
  adminHost: {
    env: 'LB_ADMIN_HOST',
    flag: '--admin-host <addr>',
    help: 'address of the admin endpoint (/healthz, /replicas, /metrics); default: all',
  },
  adminPort: { env: 'LB_ADMIN_PORT', flag: '--admin-port <port>', help: 'port of the admin endpoint', default: '8081' },
  strategy: { env: 'LB_STRATEGY', flag: '--strategy <name>', help: STRATEGIES.join(' | '), default: 'round-robin' },
  logLevel: { env: 'LOG_LEVEL', flag: '--log-level <level>', help: LOG_LEVELS.join(' | '), default: 'info' },
  accessLog: { env: 'LB_ACCESS_LOG', flag: '--access-log <bool>', help: 'log one line per request', default: 'false' },
  resyncInterval: {
    env: 'LB_RESYNC_INTERVAL',
    flag: '--resync-interval <duration>',
    help: 're-list replicas this often, to catch events Docker dropped',
    default: '10s',
  },
  connectTimeout: {
    env: 'LB_CONNECT_TIMEOUT',
    flag: '--connect-timeout <duration>',
    help: 'give up connecting to a replica (then try another) after',
    default: '3s',
  },
  responseTimeout: {
    env: 'LB_RESPONSE_TIMEOUT',
    flag: '--response-timeout <duration>',
    help: "answer 504 when a replica's response headers take longer than",
    default: '60s',
  },
  upstreamIdleTimeout: {
    env: 'LB_UPSTREAM_IDLE_TIMEOUT',
    flag: '--upstream-idle-timeout <duration>',
    help: "close idle keep-alive connections to replicas after (keep below the replicas' own, Node's is 5s)",
    default: '4s',
  },
  retries: {
    env: 'LB_RETRIES',
    flag: '--retries <n>',
    help: 'extra attempts on other replicas after a connection broke before the response (idempotent requests); refused connections are always tried on the others',
    default: '2',
  },
  shutdownTimeout: {
    env: 'LB_SHUTDOWN_TIMEOUT',
    flag: '--shutdown-timeout <duration>',
    help: 'on SIGTERM, wait this long for in-flight requests',
    default: '8s',
  },
  trustedProxies: {
    env: 'LB_TRUSTED_PROXIES',
    flag: '--trusted-proxies <cidrs>',
    help: 'comma-separated CIDRs whose X-Forwarded-* headers are kept; others are replaced',
    default: '',
  },
};

type Parser<T> = (raw: string) => T;

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

function parseName(raw: string): string {
  if (!NAME.test(raw)) throw new Error(`"${raw}" is not a valid name (letters, digits, "_", "." and "-")`);
  return raw;
}

function parseInteger(raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw)) throw new Error(`"${raw}" is not a whole number`);
  const n = Number(raw);
  if (n < min || n > max) throw new Error(`${n} is out of range (${min}-${max})`);
  return n;
}

export const parsePort: Parser<number> = (raw) => parseInteger(raw, 1, 65535);

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m)?$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000 } as const;

/** `250ms`, `10s`, `2m`; a bare number is milliseconds, as in HAProxy. */
export function parseDuration(raw: string): number {
  const match = DURATION.exec(raw.trim());
  if (!match) throw new Error(`"${raw}" is not a duration (examples: 500ms, 10s, 2m)`);
  const unit = (match[2] ?? 'ms') as keyof typeof UNIT_MS;
  return Math.round(Number(match[1]) * UNIT_MS[unit]);
}

function parseBoolean(raw: string): boolean {
  const value = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(value)) return false;
  throw new Error(`"${raw}" is not a boolean (true or false)`);
}

function oneOf<T extends string>(choices: readonly T[]): Parser<T> {
  return (raw) => {
    const found = choices.find((c) => c === raw);
    if (found === undefined) throw new Error(`"${raw}" is not one of ${choices.join(', ')}`);
    return found;
  };
}

function parseCidrList(raw: string): Cidr[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(parseCidr);
}

/** Raw option values by key; flags already take precedence over the environment. */
export type RawOptions = Partial<Record<ConfigKey, string>>;

/** Picks each option from flags first, then its environment variable. */
export function rawOptionsFrom(env: NodeJS.ProcessEnv, flags: RawOptions = {}): RawOptions {
  const raw: RawOptions = {};
  for (const key of Object.keys(OPTIONS) as ConfigKey[]) {
    const value = flags[key] ?? env[OPTIONS[key].env];
    if (value !== undefined) raw[key] = value;
  }
  return raw;
}

/** Reads options one by one, collecting every problem instead of stopping at the first. */
class OptionReader {
  readonly problems: string[] = [];

  constructor(private readonly raw: RawOptions) {}

  optional<T>(key: ConfigKey, parse: Parser<T>): T | undefined {
    const value = this.raw[key] ?? OPTIONS[key].default;
    if (value === undefined || value === '') return undefined;
    try {
      return parse(value);
    } catch (err) {
      this.problems.push(`${describe(key)}: ${(err as Error).message}`);
      return undefined;
    }
  }

  /** For options with a default in OPTIONS: the fallback only stands in after a reported problem. */
  withDefault<T>(key: ConfigKey, parse: Parser<T>, fallback: T): T {
    return this.optional(key, parse) ?? fallback;
  }

  required<T>(key: ConfigKey, parse: Parser<T>, fallback: T): T {
    if ((this.raw[key] ?? '') === '') {
      this.problems.push(`${describe(key)} is required`);
      return fallback;
    }
    return this.withDefault(key, parse, fallback);
  }
}

function describe(key: ConfigKey): string {
  const flag = OPTIONS[key].flag.split(' ')[0];
  return `${OPTIONS[key].env} (${flag})`;
}

/** Validates raw options into a Config; throws a ConfigError listing every bad value. */
export function parseConfig(raw: RawOptions): Config {
  const r = new OptionReader(raw);
  const config: Config = {
    service: r.required('service', parseName, ''),
    project: r.optional('project', parseName),
    network: r.optional('network', parseName),
    targetPort: r.optional('targetPort', parsePort),
    listenHost: r.optional('listenHost', (s) => s),
    listenPort: r.withDefault('listenPort', parsePort, 80),
    adminHost: r.optional('adminHost', (s) => s),
    adminPort: r.withDefault('adminPort', parsePort, 8081),
    strategy: r.withDefault('strategy', oneOf(STRATEGIES), 'round-robin'),
    logLevel: r.withDefault('logLevel', oneOf(LOG_LEVELS), 'info'),
    accessLog: r.withDefault('accessLog', parseBoolean, false),
    resyncInterval: r.withDefault('resyncInterval', parseDuration, 10_000),
    connectTimeout: r.withDefault('connectTimeout', parseDuration, 3_000),
    responseTimeout: r.withDefault('responseTimeout', parseDuration, 60_000),
    upstreamIdleTimeout: r.withDefault('upstreamIdleTimeout', parseDuration, 4_000),
    retries: r.withDefault('retries', (s) => parseInteger(s, 0, 10), 2),
    shutdownTimeout: r.withDefault('shutdownTimeout', parseDuration, 8_000),
    trustedProxies: r.withDefault('trustedProxies', parseCidrList, []),
  };
  if (config.listenPort === config.adminPort && config.listenHost === config.adminHost) {
    r.problems.push(`${describe('listenPort')} and ${describe('adminPort')} must differ`);
  }
  if (config.resyncInterval < 100) r.problems.push(`${describe('resyncInterval')}: must be at least 100ms`);
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return config;
}
