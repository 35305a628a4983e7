import { flagValues, parseConfig, rawOptionsFrom, type Config, type RawOptions } from '../../src/config';
import { ConfigError } from '../../src/errors';

/** The problems parseConfig reports for `raw`; fails the test if it accepts it. */
function problemsOf(raw: RawOptions): readonly string[] {
  try {
    parseConfig(raw);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(raw)}`);
}

describe('rawOptionsFrom', () => {
  it('reads each option from its environment variable and ignores unrelated ones', () => {
    const env = { LB_SERVICE: 'web', LB_LISTEN_PORT: '8080', LOG_LEVEL: 'debug', PATH: '/usr/bin' };
    expect(rawOptionsFrom(env)).toEqual({ services: 'web', listenPorts: '8080', logLevel: 'debug' });
  });

  it("reads commander's values by flag name: --service, --listen-port", () => {
    expect(flagValues({ service: 'web,api', listenPort: '8080', unknown: 'x' })).toEqual({ services: 'web,api', listenPorts: '8080' });
  });

  it('lets a flag override its environment variable, and falls back to the environment for the rest', () => {
    const env = { LB_SERVICE: 'web', LB_STRATEGY: 'round-robin' };
    expect(rawOptionsFrom(env, { strategy: 'least-conn', retries: '0' })).toEqual({
      services: 'web',
      strategy: 'least-conn',
      retries: '0',
    });
  });

  it('keeps an empty flag rather than falling back to the environment', () => {
    expect(rawOptionsFrom({ LB_PROJECT: 'shop' }, { project: '' })).toEqual({ project: '' });
  });
});

describe('parseConfig', () => {
  it('fills in every default when only the service is given', () => {
    const expected: Config = {
      services: ['web'],
      project: undefined,
      discoveryUrl: undefined,
      network: undefined,
      targetPort: undefined,
      listenHost: undefined,
      mode: 'http',
      listenPorts: [80],
      adminHost: undefined,
      adminPort: 8081,
      strategy: 'round-robin',
      slowStart: 0,
      sticky: 'none',
      stickySecret: '',
      logLevel: 'info',
      accessLog: false,
      resyncInterval: 10_000,
      connectTimeout: 3_000,
      responseTimeout: 60_000,
      upstreamIdleTimeout: 4_000,
      retries: 2,
      shutdownTimeout: 8_000,
      trustedProxies: [],
      clientHeadersTimeout: 10_000,
      clientRequestTimeout: 300_000,
      clientTimeout: 120_000,
      clientKeepAliveTimeout: 30_000,
      maxConnections: 10_000,
      maxRequests: 10_000,
      maxConnsPerReplica: 0,
      ejectAfter: 3,
      ejectTime: 1_000,
      ejectMaxTime: 30_000,
      healthPath: undefined,
      healthInterval: 5_000,
      healthTimeout: 2_000,
      holdTimeout: 30_000,
      uploadTimeout: 10_000,
    };
    expect(parseConfig({ services: 'web' })).toEqual(expected);
  });

  it('treats an empty optional value as unset', () => {
    expect(parseConfig({ services: 'web', listenPorts: '', project: '' })).toMatchObject({ listenPorts: [80], project: undefined });
  });

  it.each<[string, RawOptions, Partial<Config>]>([
    ['milliseconds with a unit', { connectTimeout: '500ms' }, { connectTimeout: 500 }],
    ['seconds', { responseTimeout: '10s' }, { responseTimeout: 10_000 }],
    ['minutes', { shutdownTimeout: '2m' }, { shutdownTimeout: 120_000 }],
    ['a bare number as milliseconds', { upstreamIdleTimeout: '250' }, { upstreamIdleTimeout: 250 }],
    ['a fractional duration', { resyncInterval: '1.5s' }, { resyncInterval: 1_500 }],
    ['a duration with surrounding spaces', { connectTimeout: ' 3s ' }, { connectTimeout: 3_000 }],
    ['the lowest and highest port', { listenPorts: '1', adminPort: '65535' }, { listenPorts: [1], adminPort: 65535 }],
    ['a target port', { targetPort: '8080' }, { targetPort: 8080 }],
    ['least-conn', { strategy: 'least-conn' }, { strategy: 'least-conn' }],
    ['a log level', { logLevel: 'silent' }, { logLevel: 'silent' }],
    ['retries at both ends of the range', { retries: '0' }, { retries: 0 }],
    ['ten retries', { retries: '10' }, { retries: 10 }],
    ['names with dots, dashes and underscores', { project: 'my_app.v2-x', network: 'a.b' }, { project: 'my_app.v2-x', network: 'a.b' }],
    ['hosts', { listenHost: '127.0.0.1', adminHost: '::1' }, { listenHost: '127.0.0.1', adminHost: '::1' }],
    [
      'trusted proxies: CIDRs and bare addresses, spaces and empty items ignored',
      { trustedProxies: '10.0.0.0/8, 192.168.1.7,,fd00::/8 ' },
      {
        trustedProxies: [
          { address: '10.0.0.0', prefix: 8, family: 'ipv4' },
          { address: '192.168.1.7', prefix: 32, family: 'ipv4' },
          { address: 'fd00::', prefix: 8, family: 'ipv6' },
        ],
      },
    ],
    ['a health path', { healthPath: '/healthz?full=1' }, { healthPath: '/healthz?full=1' }],
    ['no per-replica connection limit', { maxConnsPerReplica: '0' }, { maxConnsPerReplica: 0 }],
    ['ejection times that are equal', { ejectTime: '5s', ejectMaxTime: '5000' }, { ejectTime: 5_000, ejectMaxTime: 5_000 }],
    ['same port on different hosts', { listenHost: '127.0.0.1', adminHost: '127.0.0.2', adminPort: '80' }, { adminPort: 80 }],
  ])('accepts %s', (_name, raw, expected) => {
    expect(parseConfig({ services: 'web', ...raw })).toMatchObject(expected);
  });

  it.each([
    ['1', true],
    ['true', true],
    ['TRUE', true],
    ['yes', true],
    ['on', true],
    ['0', false],
    ['false', false],
    ['No', false],
    ['off', false],
  ])('reads the boolean %j as %j', (raw, expected) => {
    expect(parseConfig({ services: 'web', accessLog: raw }).accessLog).toBe(expected);
  });

  it.each<[string, RawOptions, string]>([
    ['port 0', { listenPorts: '0' }, 'LB_LISTEN_PORT (--listen-port): 0 is out of range (1-65535)'],
    ['port 65536', { adminPort: '65536' }, 'LB_ADMIN_PORT (--admin-port): 65536 is out of range (1-65535)'],
    ['a port that is not a number', { targetPort: 'http' }, 'LB_TARGET_PORT (--target-port): "http" is not a whole number'],
    ['a negative port', { listenPorts: '-1' }, 'LB_LISTEN_PORT (--listen-port): "-1" is not a whole number'],
    ['an hour unit', { connectTimeout: '1h' }, 'LB_CONNECT_TIMEOUT (--connect-timeout): "1h" is not a duration (examples: 500ms, 10s, 2m)'],
    ['a negative duration', { shutdownTimeout: '-5s' }, 'LB_SHUTDOWN_TIMEOUT (--shutdown-timeout): "-5s" is not a duration (examples: 500ms, 10s, 2m)'],
    ['a word as duration', { responseTimeout: 'soon' }, 'LB_RESPONSE_TIMEOUT (--response-timeout): "soon" is not a duration (examples: 500ms, 10s, 2m)'],
    ['a resync under 100ms', { resyncInterval: '50ms' }, 'LB_RESYNC_INTERVAL (--resync-interval): must be at least 100ms'],
    ['an unknown strategy', { strategy: 'random' }, 'LB_STRATEGY (--strategy): "random" is not one of round-robin, least-conn, p2c'],
    ['an unknown log level', { logLevel: 'verbose' }, 'LOG_LEVEL (--log-level): "verbose" is not one of fatal, error, warn, info, debug, trace, silent'],
    ['a word as boolean', { accessLog: 'maybe' }, 'LB_ACCESS_LOG (--access-log): "maybe" is not a boolean (true or false)'],
    ['11 retries', { retries: '11' }, 'LB_RETRIES (--retries): 11 is out of range (0-10)'],
    ['a service name with a space', { services: 'my web' }, 'LB_SERVICE (--service): "my web" is not a valid name (letters, digits, "_", "." and "-")'],
    ['a project starting with a dash', { project: '-x' }, 'LB_PROJECT (--project): "-x" is not a valid name (letters, digits, "_", "." and "-")'],
    ['a CIDR prefix too long', { trustedProxies: '10.0.0.0/33' }, 'LB_TRUSTED_PROXIES (--trusted-proxies): "10.0.0.0/33" has an invalid prefix length (0-32)'],
    ['a word as CIDR', { trustedProxies: '10.0.0.0/8,gateway' }, 'LB_TRUSTED_PROXIES (--trusted-proxies): "gateway" is not an IP address or CIDR'],
    ['the default admin port as listen port', { listenPorts: '8081' }, 'LB_LISTEN_PORT (--listen-port) and LB_ADMIN_PORT (--admin-port) must differ'],
    ['equal ports on the same host', { listenHost: '::1', adminHost: '::1', listenPorts: '9000', adminPort: '9000' }, 'LB_LISTEN_PORT (--listen-port) and LB_ADMIN_PORT (--admin-port) must differ'],
    ['a health path without a leading slash', { healthPath: 'healthz' }, 'LB_HEALTH_PATH (--health-path): "healthz" is not a path (it starts with / and has no spaces)'],
    ['a health path with a space', { healthPath: '/a b' }, 'LB_HEALTH_PATH (--health-path): "/a b" is not a path (it starts with / and has no spaces)'],
    ['no connections at all', { maxConnections: '0' }, 'LB_MAX_CONNECTIONS (--max-connections): 0 is out of range (1-1000000)'],
    ['ejecting after 0 failures', { ejectAfter: '0' }, 'LB_EJECT_AFTER (--eject-after): 0 is out of range (1-1000)'],
    ['a longest ejection shorter than the first', { ejectTime: '10s', ejectMaxTime: '5s' }, 'LB_EJECT_MAX_TIME (--eject-max-time): must not be shorter than LB_EJECT_TIME (--eject-time)'],
    ['a request timeout shorter than the headers timeout', { clientRequestTimeout: '5s' }, 'LB_CLIENT_REQUEST_TIMEOUT (--client-request-timeout): must not be shorter than LB_CLIENT_HEADERS_TIMEOUT (--client-headers-timeout)'],
  ])('refuses %s, naming the variable and the flag', (_name, raw, problem) => {
    expect(problemsOf({ services: 'web', ...raw })).toEqual([problem]);
  });

  it('requires the service', () => {
    expect(problemsOf({})).toEqual(['LB_SERVICE (--service) is required']);
    expect(problemsOf({ services: '' })).toEqual(['LB_SERVICE (--service) is required']);
  });

  it('reads several services, comma-separated, and refuses one listed twice', () => {
    expect(parseConfig({ services: 'web, api,admin' }).services).toEqual(['web', 'api', 'admin']);
    expect(problemsOf({ services: 'web,api,web' })).toEqual(['LB_SERVICE (--service): "web" is listed twice']);
  });

  it('reports every bad value at once, in one error whose message lists them all', () => {
    const raw = { listenPorts: 'x', strategy: 'fastest', connectTimeout: '3 s', retries: '99' };
    let error: unknown;
    try {
      parseConfig(raw);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('ERR_CONFIG');
    expect((error as ConfigError).message).toBe(
      [
        'invalid configuration:',
        '  - LB_SERVICE (--service) is required',
        '  - LB_LISTEN_PORT (--listen-port): "x" is not a whole number',
        '  - LB_STRATEGY (--strategy): "fastest" is not one of round-robin, least-conn, p2c',
        '  - LB_CONNECT_TIMEOUT (--connect-timeout): "3 s" is not a duration (examples: 500ms, 10s, 2m)',
        '  - LB_RETRIES (--retries): 99 is out of range (0-10)',
      ].join('\n'),
    );
  });

  // A refused value must not stand in as its default and then fail a check against another option.
  it.each<[string, RawOptions, string]>([
    ['ports equal', { listenPorts: 'eighty', adminPort: '80' }, 'LB_LISTEN_PORT (--listen-port): "eighty" is not a whole number'],
    ['ejection times out of order', { ejectTime: 'long', ejectMaxTime: '500ms' }, 'LB_EJECT_TIME (--eject-time): "long" is not a duration (examples: 500ms, 10s, 2m)'],
    ['client timeouts out of order', { clientHeadersTimeout: 'x', clientRequestTimeout: '1s' }, 'LB_CLIENT_HEADERS_TIMEOUT (--client-headers-timeout): "x" is not a duration (examples: 500ms, 10s, 2m)'],
  ])('does not call %s when one of them was refused', (_name, raw, problem) => {
    expect(problemsOf({ services: 'web', ...raw })).toEqual([problem]);
  });
});
