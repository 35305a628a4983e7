import { PhaseRecorder, TIMEOUT_MESSAGE } from '../../../bench/load/phase-recorder';

describe('PhaseRecorder', () => {
  it('is one phase when nothing is marked', () => {
    const phases = new PhaseRecorder('whole run', 1_000);
    phases.response(200, 1_500, 'a');
    phases.response(503, 2_500, undefined);
    const [only, ...rest] = phases.finish(3_000);
    expect(rest).toEqual([]);
    expect(only).toMatchObject({ name: 'whole run', startedAt: 1_000, durationSec: 2, responses: 2, non2xx: 1, replicas: { a: 1 } });
    expect(only?.latency.count).toBe(2);
  });

  it('splits at each mark: a response counts in the phase in which it arrived', () => {
    const phases = new PhaseRecorder('all fast', 0);
    phases.response(200, 10_000, 'a');
    phases.mark('one replica slow', 5_000);
    phases.response(200, 50_000, 'slow');
    phases.response(200, 10_000, 'a');
    phases.mark('recovered', 7_500);
    const [fast, slow, recovered] = phases.finish(10_000);
    expect(fast).toMatchObject({ name: 'all fast', durationSec: 5, responses: 1, replicas: { a: 1 } });
    expect(slow).toMatchObject({ name: 'one replica slow', startedAt: 5_000, durationSec: 2.5, responses: 2, replicas: { slow: 1, a: 1 } });
    expect(slow?.latency.maxUs).toBe(50_000);
    expect(recovered).toMatchObject({ name: 'recovered', responses: 0, replicas: {} });
  });

  it('tells timeouts from socket errors, and counts both by code', () => {
    const phases = new PhaseRecorder('restart', 0);
    phases.error('ECONNRESET');
    phases.error('ECONNRESET');
    phases.error(TIMEOUT_MESSAGE);
    const [restart] = phases.finish(1_000);
    expect(restart).toMatchObject({ errors: 2, timeouts: 1, errorCodes: { ECONNRESET: 2, [TIMEOUT_MESSAGE]: 1 } });
  });
});
