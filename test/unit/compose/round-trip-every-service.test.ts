import { addBalancer } from '../../../src/compose/add-balancer';
import { ComposeInputError } from '../../../src/compose/compose-errors';
import { serviceNames } from '../../../src/compose/compose-file';
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
