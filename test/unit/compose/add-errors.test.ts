import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addBalancer, type AddRequest } from '../../../src/compose/add-balancer';
import { ComposeInputError, type ComposeProblem } from '../../../src/compose/compose-errors';
import { parseComposeFile } from '../../../src/compose/compose-file';
import { parseListenAddress } from '../../../src/compose/listen-address';
import { FIXTURES, FIXTURE_GID, FIXTURE_IMAGE, compose, fixture, thrown } from './fixtures';

function addTo(file: string, service: string, extra: Partial<AddRequest> = {}): ComposeInputError {
  const source = readFileSync(join(FIXTURES, 'errors', file), 'utf8');
  const err = thrown(() =>
    addBalancer(parseComposeFile(source, file), { service, image: FIXTURE_IMAGE, dockerGid: FIXTURE_GID, ...extra }),
  );
  if (!(err instanceof ComposeInputError)) throw err;
  return err;
}

describe('add refuses input it cannot handle, saying why', () => {
  it.each<[string, string, ComposeProblem, RegExp]>([
    [
      'invalid-yaml.yml',
      'web',
      'invalid-yaml',
      /^invalid-yaml\.yml:4:1: invalid YAML: All mapping items must start at the same column\n/,
    ],
    [
      'not-compose.yml',
      'web',
      'not-compose',
      /not a Compose file: it has no "services" key \(top-level keys: apiVersion, kind, metadata\)/,
    ],
    ['version-1.yml', 'web', 'not-compose', /looks like a version 1 Compose file/],
    ['empty.yml', 'web', 'not-compose', /is not a Compose file/],
    ['list.yml', 'web', 'not-compose', /expected a mapping with a "services" key/],
    ['no-ports.yml', 'nope', 'unknown-service', /no service "nope" in no-ports\.yml; its services are: worker$/],
    ['no-ports.yml', 'worker', 'no-port', /worker publishes no ports.*pass --port.*\(it exposes 9000\)/],
    ['host-network.yml', 'web', 'network-mode', /network_mode: host\): .*cannot be scaled/],
    ['shared-network.yml', 'web', 'network-mode', /shares the network stack of vpn/],
    ['merged-ports.yml', 'web', 'merged-key', /web gets "ports" through a merge \(<<\)/],
    ['several-ports.yml', 'web', 'ports', /more than one container port \(80, 443\)/],
    ['udp.yml', 'dns', 'ports', /publishes 53:53\/udp: the balancer forwards TCP/],
    ['flow-services.yml', 'web', 'layout', /"services" mapping is in flow style/],
    ['name-taken.yml', 'web', 'name-taken', /already has a service named web-lb/],
    ['merged-by-other.yml', 'web', 'merged-key', /web-canary would change too, as it merges web's settings/],
  ])('%s (%s): %s', (file, service, problem, message) => {
    const err = addTo(file, service);
    expect(err.problem).toBe(problem);
    expect(err.code).toBe('ERR_USAGE');
    expect(err.message).toMatch(message);
  });

  it('refuses --listen for a service whose own ports move to the balancer', () => {
    const err = thrown(() =>
      addBalancer(compose(fixture('env-file').input), {
        ...fixture('env-file').request,
        listen: parseListenAddress('9000'),
      }),
    );
    expect(err.message).toMatch(/app already publishes ports.*--listen is for a service that publishes none/);
  });

  it('refuses --port that is not the port the service publishes', () => {
    const err = thrown(() =>
      addBalancer(compose(fixture('env-file').input), { ...fixture('env-file').request, port: 8080 }),
    );
    expect(err.message).toBe('--port 8080 does not match the container port app publishes (3000)');
  });

  it('refuses to put a balancer in front of a balancer', () => {
    const { input, request } = fixture('already-balanced');
    const err = thrown(() => addBalancer(compose(input), { ...request, service: 'web-lb' }));
    expect(err.message).toBe('web-lb is a balancer itself (for web); name the service to balance');
  });

  it('needs --port when the container port is an interpolation', () => {
    const source = 'services:\n  web:\n    image: x\n    ports:\n      - "8080:${PORT}"\n';
    const err = thrown(() => addBalancer(compose(source), { ...fixture('env-file').request, service: 'web' }));
    expect(err.message).toBe('cannot tell web\'s container port from "8080:${PORT}": pass --port');
    const ok = addBalancer(compose(source), { ...fixture('env-file').request, service: 'web', port: 80 });
    expect(ok.text).toContain('LB_TARGET_PORT: "80"');
  });

  it.each([
    [
      'a comment out-dented into the service',
      'services:\n  web:\n    image: x\n# about the ports\n    ports: ["80:80"]\n',
      /a comment or line in service web is indented less than its keys/,
    ],
    [
      'a service that is an alias',
      'x-base: &base\n  image: x\n  ports: ["80:80"]\nservices:\n  web: *base\n',
      /service web is an alias \(\*base\)/,
    ],
    [
      'a key with an anchor before it',
      'services:\n  web:\n    image: x\n    &p ports: ["80:80"]\n',
      /web.ports does not start its own line/,
    ],
  ])('refuses a layout it would have to guess at: %s', (_what, source, message) => {
    const err = thrown(() => addBalancer(compose(source), { ...fixture('env-file').request, service: 'web' }));
    expect(err).toMatchObject({ problem: 'layout' });
    expect(err.message).toMatch(message);
  });
});
