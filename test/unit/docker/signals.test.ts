import { SIGKILL, SIGTERM, signalNumber } from '../../../src/docker/signals';

describe('signalNumber', () => {
  it.each<[string | undefined, number | undefined]>([
    ['15', 15],
    [' 9 ', 9],
    ['SIGTERM', 15],
    ['TERM', 15],
    ['sigquit', 3],
    ['quit', 3],
    ['SIGHUP', 1],
    ['SIGNOPE', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('reads %j as %j', (raw, number) => {
    expect(signalNumber(raw)).toBe(number);
  });

  it('knows SIGTERM and SIGKILL', () => {
    expect([SIGTERM, SIGKILL]).toEqual([15, 9]);
  });
});
