import { parseScaleTarget } from '../../../src/cli/scale-command';
import { dockerGid, type GidSources } from '../../../src/compose/docker-gid';
import { parseListenAddress, publishEntry } from '../../../src/compose/listen-address';
import { unifiedDiff } from '../../../src/compose/unified-diff';
import { yamlScalar } from '../../../src/compose/yaml-text';

describe('parseListenAddress', () => {
  it.each([
    ['8080', undefined, 8080, '8080:80'],
    ['127.0.0.1:8080', '127.0.0.1', 8080, '127.0.0.1:8080:80'],
    ['[::1]:8080', '::1', 8080, '[::1]:8080:80'],
  ])('%s', (raw, host, port, entry) => {
    const address = parseListenAddress(raw);
    expect(address).toEqual({ host, port });
    expect(publishEntry(address, 80)).toBe(entry);
  });

  it.each(['', 'a:b:c', 'host:', 'host:0'])('rejects %j', (raw) => {
    expect(() => parseListenAddress(raw)).toThrow(/--listen/);
  });
});

describe('parseScaleTarget', () => {
  it('reads SERVICE=N', () => {
    expect(parseScaleTarget('web=3')).toEqual({ service: 'web', replicas: 3 });
    expect(parseScaleTarget('web=0')).toEqual({ service: 'web', replicas: 0 });
  });

  it.each(['web', 'web=', '=3', 'web=-1', 'web=2.5', 'web=1001'])('rejects %j', (raw) => {
    expect(() => parseScaleTarget(raw)).toThrow(/is not SERVICE=REPLICAS/);
  });
});

describe('dockerGid', () => {
  const sources = (over: Partial<GidSources>): GidSources => ({
    env: {},
    platform: 'linux',
    socketGid: () => 998,
    ...over,
  });

  it('takes the socket group on Linux', () => {
    expect(dockerGid(sources({}))).toEqual({ gid: 998, warning: undefined });
  });

  it('lets DOCKER_GID win, as it does when Compose runs', () => {
    expect(dockerGid(sources({ env: { DOCKER_GID: '42' } })).gid).toBe(42);
  });

  it('falls back to 0 with a warning when there is no socket', () => {
    const socketGid = (): number => {
      throw Object.assign(new Error('gone'), { code: 'ENOENT' });
    };
    const result = dockerGid(sources({ socketGid }));
    expect(result.gid).toBe(0);
    expect(result.warning).toMatch(
      /^cannot read \/var\/run\/docker.sock \(ENOENT\): wrote \$\{DOCKER_GID:-0\}; set DOCKER_GID/,
    );
  });

  it("falls back off Linux, where the mounted socket is inside Docker Desktop's VM", () => {
    expect(dockerGid(sources({ platform: 'darwin' }))).toMatchObject({
      gid: 0,
      warning: expect.stringMatching(/^on darwin/),
    });
  });
});

describe('unifiedDiff', () => {
  it('writes a diff -u with a/ and b/ names', () => {
    expect(unifiedDiff('compose.yaml', 'a\nb\nc\n', 'a\nB\nc\n')).toBe(
      '--- a/compose.yaml\n+++ b/compose.yaml\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n',
    );
  });

  it('is empty for no change', () => {
    expect(unifiedDiff('x', 'same\n', 'same\n')).toBe('');
  });
});

describe('yamlScalar', () => {
  // Plain only where YAML 1.1 (Compose v1, PyYAML) and 1.2 read the same string.
  it.each([
    ['web', 'web'],
    ['compose-lb:0.1.0', 'compose-lb:0.1.0'],
    ['ghcr.io/a/b@sha256:00', 'ghcr.io/a/b@sha256:00'],
    ['on', '"on"'],
    ['No', '"No"'],
    ['8080', '"8080"'],
    ['a b', '"a b"'],
    ['x:', '"x:"'],
    ['*x', '"*x"'],
  ])('%s -> %s', (value, written) => {
    expect(yamlScalar(value)).toBe(written);
  });
});
