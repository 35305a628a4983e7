import { addBalancer } from '../../../src/compose/add-balancer';
import { compose, fixture } from './fixtures';

describe('addBalancer tells what it did', () => {
  it('notes the moved ports and the new expose, and warns about container_name', () => {
    const f = fixture('v24-networks');
    const result = addBalancer(compose(f.input), f.request);
    expect(result.notes).toEqual([
      'added proxy-lb (compose-lb:0.1.0) in front of proxy, forwarding to its port 80',
      "moved proxy's ports to proxy-lb: 127.0.0.1:8080:80/tcp, [::1]:8080:80",
      'added compose-lb-discovery, the only service with the Docker socket: proxy-lb reads its replicas from it over the new internal network compose-lb',
      'proxy now exposes 80',
    ]);
    expect(result.warnings).toEqual([
      'commented out container_name: proxy in proxy: a named container cannot be scaled (compose-lb remove proxy puts it back)',
    ]);
  });

  it('labels the service for --host, and says the route counts once the balancer has others', () => {
    const f = fixture('route-host-first');
    expect(addBalancer(compose(f.input), f.request).notes).toEqual([
      'added www-lb (compose-lb:0.1.0) in front of www, forwarding to its port 8000',
      "moved www's ports to www-lb: 8080:8000",
      'labelled www (host www.localhost): the route counts once www-lb balances other services too',
      'added compose-lb-discovery, the only service with the Docker socket: www-lb reads its replicas from it over the new internal network compose-lb',
      'www now exposes 8000',
    ]);
  });

  it('says how to reach a balancer that publishes nothing', () => {
    const f = fixture('port-flag');
    expect(addBalancer(compose(f.input), f.request).notes).toContain(
      'web-lb publishes no host port: other services reach it as web-lb:3000 (--listen HOST:PORT publishes it)',
    );
  });

  it('warns about a fixed address that replicas cannot share', () => {
    const source =
      'services:\n  web:\n    image: x\n    ports: ["80:80"]\n    networks:\n      front:\n        ipv4_address: 10.5.0.5\nnetworks:\n  front:\n';
    const result = addBalancer(compose(source), { ...fixture('env-file').request, service: 'web' });
    expect(result.warnings).toEqual([
      'web has a fixed ipv4_address on network front: replicas cannot share it, remove it before scaling',
    ]);
  });
});

describe('the balancer service', () => {
  const lb = (name: string): string => {
    const f = fixture(name);
    const text = addBalancer(compose(f.input), f.request).text;
    return text.slice(text.indexOf(`${f.request.service}-lb:`));
  };

  it('copies the service profiles, or `up` without them fails on depends_on', () => {
    expect(lb('profiles')).toMatch(/ {4}profiles:\n {6}- debug\n/);
  });

  it("joins every network of the service, merged ones included, and discovery's", () => {
    expect(lb('anchors-and-merges')).toMatch(/networks:\n {6}- app\n {6}- compose-lb\n/);
    expect(lb('v24-networks')).toMatch(/networks:\n {12}- frontend\n {12}- monitoring\n {12}- compose-lb\n/);
  });

  it('names the default network where the service is on it, since the balancer lists networks', () => {
    expect(lb('env-file')).toMatch(/networks:\n {6}- default\n {6}- compose-lb\n/);
  });

  it('moves the admin endpoint off the port it listens on', () => {
    expect(lb('admin-port-clash')).toMatch(/LB_LISTEN_PORT: "8081"\n {6}LB_ADMIN_PORT: "8082"\n/);
  });

  it("follows the file's indentation of lists", () => {
    expect(lb('expose-block')).toMatch(/depends_on:\n {4}- web\n {4}- compose-lb-discovery\n/);
  });
});
