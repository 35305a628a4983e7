import { diffArrays } from 'diff';
import { addBalancer, type AddRequest } from '../../../src/compose/add-balancer';
import { removeBalancer } from '../../../src/compose/remove-balancer';
import { compose, fixtures } from './fixtures';

// Every fixture: add gives the expected file, remove gives back the input byte
// for byte, and a second add is a no-op. Where a case routes more services
// through the first one's balancer, each remove gives back the file as it was
// before that service's add, and the first service can leave while the others
// stay. The expected files were checked with `docker-compose config` (v1.29)
// and `docker compose config` (v2); see the fixture README.

/** The file before any add, then after each. */
function states(input: string, requests: readonly AddRequest[]): string[] {
  const out = [input];
  for (const request of requests) out.push(addBalancer(compose(out[out.length - 1] ?? ''), request).text);
  return out;
}

/** Removes each service in turn, returning the file after each remove. */
function removals(text: string, services: readonly string[]): string[] {
  const out: string[] = [];
  for (const service of services) out.push(removeBalancer(compose(out[out.length - 1] ?? text), service).text);
  return out;
}

const withoutEol = (line: string): string => line.replace(/\r?\n$/, '');

describe.each(fixtures().map((f) => [f.name, f] as const))('fixture %s', (_name, f) => {
  if (f.expectedAdd === undefined) {
    it('add is a no-op that says which balancer is already there', () => {
      const result = addBalancer(compose(f.input), f.request);
      expect(result.changed).toBe(false);
      expect(result.text).toBe(f.input);
      expect(result.notes.join('\n')).toMatch(/already behind a balancer \(\S+-lb\)/);
    });
    return;
  }
  const expected = f.expectedAdd;
  const services = f.requests.map((r) => r.service);

  it('add writes the expected file', () => {
    const all = states(f.input, f.requests);
    expect(new Set(all).size).toBe(all.length);
    expect(all[all.length - 1]).toBe(expected);
  });

  it('remove, last added first, gives back the file as it was before each add, to the original bytes', () => {
    const before = states(f.input, f.requests).slice(0, -1).reverse();
    expect(removals(expected, [...services].reverse())).toEqual(before);
  });

  if (f.requests.length > 1) {
    it('the first service leaves while the others stay; removing them too gives back the original bytes', () => {
      const [first, ...rest] = removals(expected, services);
      if (f.expectedRemoveFirst !== undefined) expect(first).toBe(f.expectedRemoveFirst);
      expect(first).toMatch(/x-compose-lb:/);
      expect(rest[rest.length - 1]).toBe(f.input);
    });
  }

  it('add only inserts lines, except those it moves verbatim, comments out or appends to', () => {
    const before = f.input.split(/(?<=\n)/);
    const after = expected.split(/(?<=\n)/);
    const removed = diffArrays(before, after).flatMap((part) => (part.removed ? part.value : []));
    const uncommented = after.map((l) => withoutEol(l.replace(/# \[compose-lb: [^\]]+\] /, '')));
    for (const line of removed) {
      const moved = after.includes(line);
      const commentedOut = uncommented.includes(withoutEol(line));
      // An item appended to a flow list (expose), or compose-lb's network to flow-style top-level networks.
      const appendedTo = after.some(
        (l) => l.replace(/, "\d+"\]/, ']') === line || l.replace(/, compose-lb: \{internal: true\}\}/, '}') === line,
      );
      expect({ line, kept: moved || commentedOut || appendedTo }).toEqual({ line, kept: true });
    }
  });

  it('a second add is a no-op', () => {
    for (const request of f.requests) {
      const again = addBalancer(compose(expected), request);
      expect(again.changed).toBe(false);
      expect(again.text).toBe(expected);
    }
  });
});
