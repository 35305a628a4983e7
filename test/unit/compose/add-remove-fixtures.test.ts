import { diffArrays } from 'diff';
import { addBalancer } from '../../../src/compose/add-balancer';
import { removeBalancer } from '../../../src/compose/remove-balancer';
import { compose, fixtures } from './fixtures';

// Every fixture: add gives the expected file, remove gives back the input byte
// for byte, and a second add is a no-op. The expected files were checked with
// `docker-compose config` (v1.29) and `docker compose config` (v2); see the
// fixture README.
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

  it('add writes the expected file', () => {
    const result = addBalancer(compose(f.input), f.request);
    expect(result.changed).toBe(true);
    expect(result.text).toBe(expected);
  });

  it('remove after add gives back the original bytes', () => {
    expect(removeBalancer(compose(expected), f.request.service).text).toBe(f.input);
  });

  it('add only inserts lines, except those it moves verbatim, comments out or appends to', () => {
    const before = f.input.split(/(?<=\n)/);
    const after = expected.split(/(?<=\n)/);
    const removed = diffArrays(before, after).flatMap((part) => (part.removed ? part.value : []));
    for (const line of removed) {
      const moved = after.includes(line);
      const commentedOut = after.some((l) =>
        l.includes(`# [compose-lb: a named container cannot be scaled] ${line.trimStart()}`),
      );
      const appendedTo = after.some((l) => l.replace(/, "\d+"\]/, ']') === line);
      expect({ line, kept: moved || commentedOut || appendedTo }).toEqual({ line, kept: true });
    }
  });

  it('a second add is a no-op', () => {
    const again = addBalancer(compose(expected), f.request);
    expect(again.changed).toBe(false);
    expect(again.text).toBe(expected);
  });
});
