import { ConfigError } from './errors';
import { parseCidr, type Cidr } from './proxy/cidr';

export const STRATEGIES = ['round-robin', 'least-conn', 'p2c'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export const MODES = ['http', 'tcp'] as const;
export type Mode = (typeof MODES)[number];

export const STICKY_MODES = ['none', 'cookie'] as const;
export type StickyMode = (typeof STICKY_MODES)[number];

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Everything `compose-lb serve` needs, validated. Durations are in milliseconds. */
export interface Config {
  /** Services to balance; with several, requests are routed by their labels (src/routing). */
  readonly services: readonly string[];
  readonly project: string | undefined;
  /** Read replicas from discovery (`compose-lb discover`) here, holding no Docker socket. */
  readonly discoveryUrl: string | undefined;
  readonly network: string | undefined;
  readonly targetPort: number | undefined;
  readonly listenHost: string | undefined;
  readonly mode: Mode;
  /** One port (HTTP), or one per service in LB_SERVICE order (TCP). */
  readonly listenPorts: readonly number[];
  readonly adminHost: string | undefined;
  readonly adminPort: number;
  readonly strategy: Strategy;
  readonly slowStart: number;
  readonly sticky: StickyMode;
  readonly stickySecret: string;
  readonly logLevel: LogLevel;
  readonly accessLog: boolean;
  readonly resyncInterval: number;
  readonly connectTimeout: number;
  readonly responseTimeout: number;
  readonly upstreamIdleTimeout: number;
  readonly retries: number;
  readonly shutdownTimeout: number;
  readonly trustedProxies: readonly Cidr[];
  readonly clientHeadersTimeout: number;
  readonly clientRequestTimeout: number;
  readonly clientTimeout: number;
  readonly clientKeepAliveTimeout: number;
  readonly maxConnections: number;
  readonly maxRequests: number;
  readonly maxConnsPerReplica: number;
  readonly ejectAfter: number;
  readonly ejectTime: number;
  readonly ejectMaxTime: number;
  readonly healthPath: string | undefined;
  readonly healthInterval: number;
  readonly healthTimeout: number;
  readonly holdTimeout: number;
  readonly uploadTimeout: number;
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
  services: {
    env: 'LB_SERVICE',
    flag: '--service <names>',
    help: 'Compose service to balance (required); several, comma-separated, are routed by their compose-lb.* labels',
  },
  discoveryUrl: {
    env: 'LB_DISCOVERY_URL',
    flag: '--discovery-url <url>',
    help: 'read replicas from compose-lb discover at this URL, not the Docker socket',
  },
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
  mode: {
    env: 'LB_MODE',
    flag: '--mode <mode>',
    help: 'http | tcp (connections balanced as they are, any protocol; one listen port per service)',
    default: 'http',
  },
  listenPorts: {
    env: 'LB_LISTEN_PORT',
    flag: '--listen-port <ports>',
    help: 'port to listen on; in tcp mode one per service, comma-separated, in LB_SERVICE order',
    default: '80',
  },
  adminHost: {
    env: 'LB_ADMIN_HOST',
    flag: '--admin-host <addr>',
    help: 'address of the admin endpoint (/healthz, /replicas, /metrics); default: all',
  },
  adminPort: { env: 'LB_ADMIN_PORT', flag: '--admin-port <port>', help: 'port of the admin endpoint', default: '8081' },
  strategy: {
    env: 'LB_STRATEGY',
    flag: '--strategy <name>',
    help: `${STRATEGIES.join(' | ')} (p2c: the faster of two random replicas)`,
    default: 'round-robin',
  },
  sticky: {
    env: 'LB_STICKY',
    flag: '--sticky <mode>',
    help: 'cookie: a signed cookie (clb-SERVICE) keeps a client on one ready replica',
    default: 'none',
  },
  stickySecret: {
    env: 'LB_STICKY_SECRET',
    flag: '--sticky-secret <text>',
    help: 'key signing sticky cookies, the same on every balancer (default: random)',
    default: '',
  },
  slowStart: {
    env: 'LB_SLOW_START',
    flag: '--slow-start <duration>',
    help: 'a replica new in rotation ramps up to its full share over this long (0: off)',
    default: '0',
  },
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
    help: "close idle connections to replicas after (keep below the replicas' own; Node's is 5s)",
    default: '4s',
  },
  retries: {
    env: 'LB_RETRIES',
    flag: '--retries <n>',
    help: 'extra tries of an idempotent request whose connection broke (refused ones: always)',
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
  clientHeadersTimeout: {
    env: 'LB_CLIENT_HEADERS_TIMEOUT',
    flag: '--client-headers-timeout <duration>',
    help: "answer 408 and close when a client's request headers take longer (slowloris)",
    default: '10s',
  },
  clientRequestTimeout: {
    env: 'LB_CLIENT_REQUEST_TIMEOUT',
    flag: '--client-request-timeout <duration>',
    help: 'answer 408 and close when a whole request (body included) takes longer',
    default: '5m',
  },
  clientTimeout: {
    env: 'LB_CLIENT_TIMEOUT',
    flag: '--client-timeout <duration>',
    help: 'close a client connection that sends and receives nothing for this long',
    default: '2m',
  },
  clientKeepAliveTimeout: {
    env: 'LB_CLIENT_KEEPALIVE_TIMEOUT',
    flag: '--client-keepalive-timeout <duration>',
    help: 'close an idle keep-alive client connection after',
    default: '30s',
  },
  maxConnections: {
    env: 'LB_MAX_CONNECTIONS',
    flag: '--max-connections <n>',
    help: 'client connections open at once; more are closed on accept',
    default: '10000',
  },
  maxRequests: {
    env: 'LB_MAX_REQUESTS',
    flag: '--max-requests <n>',
    help: 'requests in progress at once (queued ones included); more get 503',
    default: '10000',
  },
  maxConnsPerReplica: {
    env: 'LB_MAX_CONNS_PER_REPLICA',
    flag: '--max-conns-per-replica <n>',
    help: 'connections to one replica at once (0: no limit); more requests queue',
    default: '0',
  },
  ejectAfter: {
    env: 'LB_EJECT_AFTER',
    flag: '--eject-after <n>',
    help: 'failed connections in a row that eject a replica for a while',
    default: '3',
  },
  ejectTime: {
    env: 'LB_EJECT_TIME',
    flag: '--eject-time <duration>',
    help: 'first ejection time; doubles with each ejection in a row',
    default: '1s',
  },
  ejectMaxTime: {
    env: 'LB_EJECT_MAX_TIME',
    flag: '--eject-max-time <duration>',
    help: 'longest ejection time',
    default: '30s',
  },
  healthPath: {
    env: 'LB_HEALTH_PATH',
    flag: '--health-path <path>',
    help: 'HTTP path probed on each replica (label compose-lb.health-path overrides); failing ones get no traffic',
  },
  healthInterval: {
    env: 'LB_HEALTH_INTERVAL',
    flag: '--health-interval <duration>',
    help: 'time between probes of one replica',
    default: '5s',
  },
  healthTimeout: {
    env: 'LB_HEALTH_TIMEOUT',
    flag: '--health-timeout <duration>',
    help: 'a probe slower than this fails',
    default: '2s',
  },
  holdTimeout: {
    env: 'LB_HOLD_TIMEOUT',
    flag: '--hold-timeout <duration>',
    help: 'with no replica ready, requests wait this long for one, then get 503 (0: at once)',
    default: '30s',
  },
  uploadTimeout: {
    env: 'LB_UPLOAD_TIMEOUT',
    flag: '--upload-timeout <duration>',
    help: 'a client that sends no request-body byte for this long gets 408',
    default: '10s',
  },
};

type Parser<T> = (raw: string) => T;

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

function parseName(raw: string): string {
  if (!NAME.test(raw)) throw new Error(`"${raw}" is not a valid name (letters, digits, "_", "." and "-")`);
  return raw;
}

function parseNameList(raw: string): string[] {
  const names = raw.split(',').map((s) => s.trim());
  const parsed = names.map(parseName);
  const twice = parsed.find((name, i) => parsed.indexOf(name) !== i);
  if (twice !== undefined) throw new Error(`"${twice}" is listed twice`);
  return parsed;
}

function parseInteger(raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw)) throw new Error(`"${raw}" is not a whole number`);
  const n = Number(raw);
  if (n < min || n > max) throw new Error(`${n} is out of range (${min}-${max})`);
  return n;
}

export const parsePort: Parser<number> = (raw) => parseInteger(raw, 1, 65535);

function parsePortList(raw: string): number[] {
  return raw.split(',').map((s) => parsePort(s.trim()));
}

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

function parseHttpUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`"${raw}" is not a URL (example: http://lb-discovery:8082)`);
  }
  if (url.protocol !== 'http:') throw new Error(`"${raw}" is not an http:// URL`);
  return raw;
}

function parsePath(raw: string): string {
  if (!/^\/[\x21-\x7e]*$/.test(raw)) throw new Error(`"${raw}" is not a path (it starts with / and has no spaces)`);
  return raw;
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

/**
 * commander's option values (keyed by the flag's long name in camelCase, `--service` -> `service`) as
 * raw options keyed by config key (`services`).
 */
export function flagValues(values: Readonly<Record<string, string | undefined>>): RawOptions {
  const raw: RawOptions = {};
  for (const key of Object.keys(OPTIONS) as ConfigKey[]) {
    const long = /--([a-z-]+)/.exec(OPTIONS[key].flag)?.[1] ?? key;
    const value = values[long.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())];
    if (value !== undefined) raw[key] = value;
  }
  return raw;
}

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
  private readonly refused = new Set<ConfigKey>();

  constructor(private readonly raw: RawOptions) {}

  /** True when every key was read without a problem, so checks across options compare real values. */
  valid(...keys: ConfigKey[]): boolean {
    return keys.every((key) => !this.refused.has(key));
  }

  optional<T>(key: ConfigKey, parse: Parser<T>): T | undefined {
    const value = this.raw[key] ?? OPTIONS[key].default;
    if (value === undefined || value === '') return undefined;
    try {
      return parse(value);
    } catch (err) {
      this.problems.push(`${describe(key)}: ${(err as Error).message}`);
      this.refused.add(key);
      return undefined;
    }
  }

  /** For options with a default in OPTIONS: a refused value stands in as that default, so checks go on. */
  withDefault<T>(key: ConfigKey, parse: Parser<T>): T {
    const value = this.optional(key, parse);
    if (value !== undefined) return value;
    const fallback = OPTIONS[key].default;
    if (fallback === undefined) throw new Error(`option ${key} has no default`);
    return parse(fallback);
  }

  required<T>(key: ConfigKey, parse: Parser<T>, fallback: T): T {
    if ((this.raw[key] ?? '') === '') {
      this.problems.push(`${describe(key)} is required`);
      return fallback;
    }
    return this.optional(key, parse) ?? fallback;
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
    services: r.required('services', parseNameList, []),
    project: r.optional('project', parseName),
    discoveryUrl: r.optional('discoveryUrl', parseHttpUrl),
    network: r.optional('network', parseName),
    targetPort: r.optional('targetPort', parsePort),
    listenHost: r.optional('listenHost', (s) => s),
    mode: r.withDefault('mode', oneOf(MODES)),
    listenPorts: r.withDefault('listenPorts', parsePortList),
    adminHost: r.optional('adminHost', (s) => s),
    adminPort: r.withDefault('adminPort', parsePort),
    strategy: r.withDefault('strategy', oneOf(STRATEGIES)),
    slowStart: r.withDefault('slowStart', parseDuration),
    sticky: r.withDefault('sticky', oneOf(STICKY_MODES)),
    stickySecret: r.withDefault('stickySecret', (s) => s),
    logLevel: r.withDefault('logLevel', oneOf(LOG_LEVELS)),
    accessLog: r.withDefault('accessLog', parseBoolean),
    resyncInterval: r.withDefault('resyncInterval', parseDuration),
    connectTimeout: r.withDefault('connectTimeout', parseDuration),
    responseTimeout: r.withDefault('responseTimeout', parseDuration),
    upstreamIdleTimeout: r.withDefault('upstreamIdleTimeout', parseDuration),
    retries: r.withDefault('retries', (s) => parseInteger(s, 0, 10)),
    shutdownTimeout: r.withDefault('shutdownTimeout', parseDuration),
    trustedProxies: r.withDefault('trustedProxies', parseCidrList),
    clientHeadersTimeout: r.withDefault('clientHeadersTimeout', parseDuration),
    clientRequestTimeout: r.withDefault('clientRequestTimeout', parseDuration),
    clientTimeout: r.withDefault('clientTimeout', parseDuration),
    clientKeepAliveTimeout: r.withDefault('clientKeepAliveTimeout', parseDuration),
    maxConnections: r.withDefault('maxConnections', (s) => parseInteger(s, 1, 1_000_000)),
    maxRequests: r.withDefault('maxRequests', (s) => parseInteger(s, 1, 1_000_000)),
    maxConnsPerReplica: r.withDefault('maxConnsPerReplica', (s) => parseInteger(s, 0, 1_000_000)),
    ejectAfter: r.withDefault('ejectAfter', (s) => parseInteger(s, 1, 1000)),
    ejectTime: r.withDefault('ejectTime', parseDuration),
    ejectMaxTime: r.withDefault('ejectMaxTime', parseDuration),
    healthPath: r.optional('healthPath', parsePath),
    healthInterval: r.withDefault('healthInterval', parseDuration),
    healthTimeout: r.withDefault('healthTimeout', parseDuration),
    holdTimeout: r.withDefault('holdTimeout', parseDuration),
    uploadTimeout: r.withDefault('uploadTimeout', parseDuration),
  };
  // A refused value stands in as its default: comparing that default with another
  // option would report a clash the user never asked for.
  if (r.valid('clientRequestTimeout', 'clientHeadersTimeout') && config.clientRequestTimeout < config.clientHeadersTimeout) {
    r.problems.push(`${describe('clientRequestTimeout')}: must not be shorter than ${describe('clientHeadersTimeout')}`);
  }
  if (r.valid('ejectMaxTime', 'ejectTime') && config.ejectMaxTime < config.ejectTime) {
    r.problems.push(`${describe('ejectMaxTime')}: must not be shorter than ${describe('ejectTime')}`);
  }
  if (r.valid('listenPorts', 'adminPort') && config.listenPorts.includes(config.adminPort) && config.listenHost === config.adminHost) {
    r.problems.push(`${describe('listenPorts')} and ${describe('adminPort')} must differ`);
  }
  if (r.valid('listenPorts', 'mode', 'services')) {
    const want = config.mode === 'tcp' ? config.services.length : 1;
    if (config.listenPorts.length !== want) {
      r.problems.push(
        config.mode === 'tcp'
          ? `${describe('listenPorts')}: tcp mode needs one port per service (${want}), not ${config.listenPorts.length}`
          : `${describe('listenPorts')}: http mode listens on one port (services share it, routed by their labels)`,
      );
    }
  }
  if (config.resyncInterval < 100) r.problems.push(`${describe('resyncInterval')}: must be at least 100ms`);
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return config;
}
