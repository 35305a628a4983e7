import { readRecord, recordLines, type BalancerRecord } from '../../../src/compose/add-record';
import { addBalancer } from '../../../src/compose/add-balancer';
import { ComposeInputError } from '../../../src/compose/compose-errors';
import { serviceConfig } from '../../../src/compose/compose-file';
import { balancerOf, balancers } from '../../../src/compose/find-balancer';
import { removeBalancer } from '../../../src/compose/remove-balancer';
import { parseDocument } from 'yaml';
import { compose, fixture, thrown } from './fixtures';

// remove on a balancer in front of several services, and the record that makes it exact.

const f = fixture('route-path-prefix');
const routed = f.expectedAdd ?? '';

describe('remove SERVICE behind a balancer of several', () => {
  it('takes a route out and leaves the balancer for the others', () => {
    const result = removeBalancer(compose(routed), 'api');
    expect(result).toMatchObject({ changed: true, balancer: 'web-lb', warnings: [] });
    expect(result.notes).toEqual([
      'took api out of web-lb, which goes on balancing web; api publishes its ports again',
      'recreate web-lb (docker compose up -d web-lb) so it stops balancing api',
    ]);
    expect(balancerOf(compose(result.text), 'web')?.services).toEqual(['web']);
  });

  it('takes the first service out while the route stays, and warns that the balancer publishes nothing now', () => {
    const result = removeBalancer(compose(routed), 'web');
    expect(result.notes).toEqual([
      'took web out of web-lb, which goes on balancing api; web publishes its ports again',
      'recreate web-lb (docker compose up -d web-lb) so it stops balancing web',
    ]);
    expect(result.warnings).toEqual([
      "web-lb publishes no host port any more (its ports were web's, and went back): " +
        'api can be reached through web-lb from other services only',
    ]);
    const lb = serviceConfig(compose(result.text), 'web-lb');
    expect(lb['ports']).toBeUndefined();
    expect(lb['depends_on']).toEqual(['compose-lb-discovery', 'api']);
  });

  it("refuses the balancer's name when it balances several: which one is meant?", () => {
    const err = thrown(() => removeBalancer(compose(routed), 'web-lb'));
    expect(err).toMatchObject({ problem: 'arguments' });
    expect(err.message).toBe(
      'web-lb balances web, api: remove them one at a time (compose-lb remove SERVICE); the last one takes web-lb with it',
    );
  });

  it('refuses a service put into LB_SERVICE by hand, and to take the balancer from under it', () => {
    const byHand = routed.replace('LB_SERVICE: web,api', 'LB_SERVICE: web,api,db');
    const err = thrown(() => removeBalancer(compose(byHand), 'db'));
    expect(err).toBeInstanceOf(ComposeInputError);
    expect(err.message).toBe(
      "db is behind web-lb by hand: web-lb's x-compose-lb record does not have it, so take it out of web-lb's LB_SERVICE by hand",
    );
    const last = removeBalancer(compose(byHand), 'api').text;
    expect(thrown(() => removeBalancer(compose(last), 'web')).message).toBe(
      'web-lb also balances db, which compose-lb add did not put there; take db out of its LB_SERVICE first, or remove web-lb by hand',
    );
  });

  it('warns, and still removes, when the commented-out ports are gone', () => {
    const edited = routed.replace(/^ *# \[compose-lb: reached through its balancer's port\].*\n/gm, '');
    const result = removeBalancer(compose(edited), 'api');
    expect(result.warnings).toEqual(['found no commented-out ports in api; left as it is']);
    expect(serviceConfig(compose(result.text), 'api')['ports']).toBeUndefined();
  });
});

describe('the record', () => {
  const indents = { body: '    ', nested: '      ', item: '      ' };
  const entry = {
    service: 'api',
    movedPorts: false,
    commentedOutPorts: true,
    createdExpose: true,
    appendedExpose: undefined,
    commentedContainerName: false,
    createdLabels: true,
    addedLabels: ['compose-lb.host'],
    appendedDependsOn: true,
    createdDeploy: false,
    addedReplicas: false,
  };
  const read = (record: BalancerRecord): BalancerRecord | undefined => {
    const yaml = ['lb:', ...recordLines(record, indents).map((l) => l.slice(2))].join('\n');
    return readRecord((parseDocument(yaml).toJS() as { lb: Record<string, unknown> }).lb);
  };

  it('reads back as written, with and without its first service, what it holds for discovery, and for Swarm', () => {
    const first = {
      ...entry,
      service: 'web',
      movedPorts: true,
      commentedOutPorts: false,
      createdLabels: false,
      addedLabels: [],
      appendedDependsOn: false,
    };
    const created = { createdService: true, createdNetwork: true, createdNetworksKey: false, swarm: false };
    const shared = { createdService: false, createdNetwork: false, createdNetworksKey: false, swarm: false };
    const onSwarm = { ...created, swarm: true };
    const counted = { ...entry, createdDeploy: true, addedReplicas: true };
    for (const record of [
      { first, routes: [], discovery: undefined },
      { first, routes: [entry], discovery: created },
      { first: undefined, routes: [entry, { ...entry, service: 'admin' }], discovery: shared },
      { first: { ...first, addedReplicas: true }, routes: [counted], discovery: onSwarm },
    ]) {
      expect(read(record)).toEqual(record);
    }
  });

  it('reads a record written before routes, and finds its balancer by it', () => {
    const old = fixture('v38-build-and-image').expectedAdd ?? '';
    const [lb] = balancers(compose(old));
    expect(lb).toMatchObject({ name: 'web-lb', services: ['web'], mode: 'http' });
    expect(lb?.record?.first).toMatchObject({ service: 'web', movedPorts: true, createdExpose: true, addedLabels: [] });
    expect(lb?.record?.routes).toEqual([]);
  });

  it("a balancer's services are LB_SERVICE's list, spaces and all", () => {
    const listed = routed.replace('LB_SERVICE: web,api', 'LB_SERVICE: " web , api,"');
    expect(balancerOf(compose(listed), 'api')?.services).toEqual(['web', 'api']);
    expect(removeBalancer(compose(listed), 'api').text).toContain('LB_SERVICE: "web"\n');
  });

  it('says what add changed in each service, in its first line', () => {
    const head = (text: string): string | undefined => /x-compose-lb: # (.*)\n/.exec(text)?.[1];
    expect(head(routed)).toBe('what `compose-lb add` changed in web, api; `compose-lb remove SERVICE` undoes it for one');
    const single = addBalancer(compose(f.input), f.request).text;
    expect(head(single)).toBe('what `compose-lb add` changed in web; `compose-lb remove web` undoes it');
  });
});
