import { addBalancer } from '../../../src/compose/add-balancer';
import { ComposeInputError } from '../../../src/compose/compose-errors';
import { serviceNames } from '../../../src/compose/compose-file';
import { DISCOVERY_SERVICE } from '../../../src/compose/discovery-service';
import { balancers } from '../../../src/compose/find-balancer';
import { removeBalancer } from '../../../src/compose/remove-balancer';
import { compose, fixtures } from './fixtures';

// Beyond each fixture's own case: a balancer in front of every service of every
// fixture (first, middle and last in the file, with and without ports) must come
// out again leaving the original bytes.
// The services add refuses, and why.
const REFUSED: Record<string, string> = {
  'already-balanced/web-lb': 'name-taken', // a balancer itself
  'flow-style-values/cache': 'layout', // written in flow style: {image: redis:7, ...}
};

const cases = fixtures().flatMap((f) => serviceNames(compose(f.input)).map((service) => [f.name, service, f] as const));

it.each(cases)('%s: add then remove %s', (_name, service, f) => {
  const request = { ...f.request, service, port: undefined, listen: undefined };
  const refused = REFUSED[`${f.name}/${service}`];
  if (refused !== undefined) {
    expect(() => addBalancer(compose(f.input), request)).toThrow(expect.objectContaining({ problem: refused }));
    return;
  }
  let added;
  try {
    added = addBalancer(compose(f.input), request);
  } catch (err) {
    if (!(err instanceof ComposeInputError) || err.problem !== 'no-port') throw err;
    added = addBalancer(compose(f.input), { ...request, port: 8080 });
  }
  if (!added.changed) {
    expect(added.text).toBe(f.input);
    return;
  }
  expect(removeBalancer(compose(added.text), service).text).toBe(f.input);
});

// And every other service of each expected file routed through the balancer
// there (as `add SERVICE --host SERVICE.test`): removing it gives back the
// expected file; removing the first services first, then it, gives back the input.
const ROUTE_REFUSED: Record<string, string> = {
  'flow-style-values/cache': 'layout', // flow style again
  'profiles/app': 'ports', // listens on 80; debug-ui-lb forwards to 8080
  'route-path-prefix/db': 'route', // on no network of web-lb
  'v38-build-and-image/db': 'route', // the same
};

const routeCases = fixtures().flatMap((f) => {
  if (f.expectedAdd === undefined) return [];
  const file = compose(f.expectedAdd);
  const taken = balancers(file).flatMap((b) => [b.name, ...b.services]);
  // compose-lb-discovery is no service to balance: add-discovery.test.ts checks add refuses it.
  return serviceNames(file)
    .filter((service) => !taken.includes(service) && service !== DISCOVERY_SERVICE)
    .map((service) => [f.name, service, f, f.expectedAdd ?? ''] as const);
});

it.each(routeCases)('%s: route %s through the balancer, then remove it', (_name, service, f, expected) => {
  const rule = { host: `${service}.test`, pathPrefix: undefined, stripPrefix: false };
  const request = { ...f.request, service, port: undefined, listen: undefined, rule };
  const refused = ROUTE_REFUSED[`${f.name}/${service}`];
  if (refused !== undefined) {
    expect(() => addBalancer(compose(expected), request)).toThrow(expect.objectContaining({ problem: refused }));
    return;
  }
  const routed = addBalancer(compose(expected), request).text;
  expect(removeBalancer(compose(routed), service).text).toBe(expected);
  let firstOut = routed;
  for (const name of [...f.requests.map((r) => r.service), service]) {
    firstOut = removeBalancer(compose(firstOut), name).text;
  }
  expect(firstOut).toBe(f.input);
});
