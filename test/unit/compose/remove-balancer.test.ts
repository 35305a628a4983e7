import { addBalancer } from '../../../src/compose/add-balancer';
import { ComposeInputError } from '../../../src/compose/compose-errors';
import { removeBalancer } from '../../../src/compose/remove-balancer';
import { compose, fixture, thrown } from './fixtures';

const added = (name: string): string => {
  const f = fixture(name);
  return addBalancer(compose(f.input), f.request).text;
};

describe('removeBalancer', () => {
  it("accepts the balancer's name as well as the service's", () => {
    const f = fixture('v38-build-and-image');
    expect(removeBalancer(compose(added(f.name)), 'web-lb').text).toBe(f.input);
  });

  it('removes the balancer even after the user tuned it', () => {
    const f = fixture('env-file');
    const tuned = added(f.name).replace(
      '      LB_SERVICE: app\n',
      '      LB_SERVICE: app\n      LB_STRATEGY: least-conn # fairer for slow requests\n',
    );
    expect(removeBalancer(compose(tuned), 'app').text).toBe(f.input);
  });

  it('moves back the ports as the balancer has them now', () => {
    const f = fixture('env-file');
    const edited = added(f.name).replace('- "3000:3000"', '- "3001:3000"');
    expect(removeBalancer(compose(edited), 'app').text).toBe(f.input.replace('- "3000:3000"', '- "3001:3000"'));
  });

  it('takes out the expose item it appended, in flow and in block lists', () => {
    for (const name of ['port-range', 'expose-block']) {
      const f = fixture(name);
      const text = added(name);
      expect(text).toMatch(/appended-expose: "80"/);
      expect(removeBalancer(compose(text), 'web').text).toBe(f.input);
    }
  });

  it('is a no-op for a service without a balancer', () => {
    const f = fixture('env-file');
    const result = removeBalancer(compose(f.input), 'app');
    expect(result).toMatchObject({ changed: false, text: f.input });
    expect(result.notes).toEqual(['app has no balancer added by compose-lb; nothing to remove']);
  });

  it('refuses a balancer compose-lb did not write, which it cannot undo', () => {
    const err = thrown(() => removeBalancer(compose(fixture('already-balanced').input), 'web'));
    expect(err).toBeInstanceOf(ComposeInputError);
    expect(err.message).toMatch(
      /^web-lb balances web but was not written by compose-lb add \(it has no x-compose-lb record\)/,
    );
  });

  it('names the known services for an unknown one', () => {
    expect(thrown(() => removeBalancer(compose(fixture('env-file').input), 'ap')).message).toBe(
      'no service "ap" in compose.yaml; its services are: app, redis',
    );
  });

  it('refuses to guess where the ports go when their marker is gone', () => {
    const text = added('env-file').replace('    # [compose-lb: ports moved to app-lb]\n', '');
    const err = thrown(() => removeBalancer(compose(text), 'app'));
    expect((err as ComposeInputError).problem).toBe('marker-missing');
    expect(err.message).toMatch(/cannot find the "# \[compose-lb: ports moved to app-lb\]" line in app/);
  });

  it('warns, and still removes, when the commented-out container_name is gone', () => {
    const text = added('v24-networks').replace(/^ *# \[compose-lb: a named container cannot be scaled\].*\n/m, '');
    const result = removeBalancer(compose(text), 'proxy');
    expect(result.warnings).toEqual(['found no commented-out container_name in proxy; left as it is']);
    expect(result.text).not.toMatch(/proxy-lb|container_name/);
  });
});
