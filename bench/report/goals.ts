import type { BenchResults } from '../results';
import { REFERENCE_IDS } from '../targets';
import { int, ms, pct, times } from './format';
import type { Table } from './text-table';

/** How far "well ahead of the plain http-proxy script" must be, as we read the issue. */
const WELL_AHEAD = 1.5;
/** "RSS within a small margin of where it was after warm-up", as we read the hardening issue. */
const MEMORY_MARGIN_PCT = 10;

interface Goal {
  readonly scenario: string;
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean | undefined;
}

function overheadGoals(r: NonNullable<BenchResults['overhead']>): Goal[] {
  const lb = r.rows.find((row) => row.target.startsWith('compose-lb'));
  const haproxy = r.rows.find((row) => row.target === REFERENCE_IDS.haproxy);
  if (lb === undefined || haproxy === undefined) return [];
  return [
    { scenario: 'overhead', goal: 'req/s ≥ 0.5× HAProxy', measured: times(lb.vsHaproxy), met: (lb.vsHaproxy ?? 0) >= 0.5 },
    { scenario: 'overhead', goal: 'p99 ≤ 2× HAProxy', measured: times(lb.p99VsHaproxy), met: (lb.p99VsHaproxy ?? Infinity) <= 2 },
    {
      scenario: 'overhead',
      goal: `well ahead of the plain http-proxy script (≥ ${WELL_AHEAD}×)`,
      measured: times(lb.vsPlain),
      met: (lb.vsPlain ?? 0) >= WELL_AHEAD,
    },
  ];
}

function scalingGoal(r: NonNullable<BenchResults['scaling']>): Goal {
  const lbPoints = r.points.filter((p) => p.target.startsWith('compose-lb'));
  const strategies = [...new Set(lbPoints.map((p) => p.target))];
  // The best strategy is the one whose worst N is best.
  const worstOf = (t: string): number => Math.min(...lbPoints.filter((p) => p.target === t).map((p) => p.ofIdeal));
  const best = strategies.sort((a, b) => worstOf(b) - worstOf(a))[0];
  const worst = best === undefined ? undefined : worstOf(best);
  return {
    scenario: 'scaling',
    goal: '≥ 0.97× ideal at every N, best strategy',
    measured: best === undefined ? '–' : `${times(worst)} at worst (${best.replace('compose-lb-', '')})`,
    met: worst === undefined ? undefined : worst >= 0.97,
  };
}

function churnGoals(r: NonNullable<BenchResults['churn']>): Goal[] {
  const failures = r.non2xx + r.errors + r.timeouts;
  const never = r.replicas.filter((x) => x.requests === 0).length;
  const served = r.replicas.map((x) => x.readyToFirstRequestMs).filter((x): x is number => x !== undefined);
  const slowest = served.length === 0 ? undefined : Math.max(...served);
  return [
    { scenario: 'churn', goal: 'zero errors', measured: `${int(failures)} of ${int(r.requests)}`, met: failures === 0 },
    {
      scenario: 'churn',
      goal: 'new replicas serving within 100 ms of listening',
      measured: `slowest ${ms(slowest)}${never > 0 ? `, ${never} never served` : ''}`,
      met: slowest === undefined ? undefined : slowest <= 100 && never === 0,
    },
  ];
}

/** Above this, another user's work on the machine may have moved the figures. */
const QUIET_PCT = 5;

/** The most CPU processes outside the bench used during any measured run, and where. */
function quietGoal(results: BenchResults): Goal | undefined {
  const seen: { pct: number; where: string; by: string }[] = [
    ...(results.overhead?.runs ?? []).map((r) => ({ pct: r.othersCpuPct, where: `overhead ${r.target}`, by: r.othersBy })),
    ...(results.scaling?.points ?? []).map((p) => ({ pct: p.othersCpuPct, where: `scaling ${p.replicas} ${p.target}`, by: p.othersBy })),
    ...(results.churn ? [{ pct: results.churn.othersCpuPct, where: 'churn', by: results.churn.othersBy }] : []),
    ...(results.memory ? [{ pct: results.memory.othersCpuPct, where: 'memory', by: results.memory.othersBy }] : []),
  ];
  const worst = seen.sort((a, b) => b.pct - a.pct)[0];
  if (worst === undefined) return undefined;
  return {
    scenario: 'all',
    goal: `quiet machine: others' CPU ≤ ${QUIET_PCT} % of a CPU in every run (else figures are suspect)`,
    measured: `${pct(worst.pct, 1)} at most (${worst.where}${worst.pct >= 1 && worst.by ? `: ${worst.by}` : ''})`,
    met: worst.pct <= QUIET_PCT,
  };
}

/** Pure: the issue's targets against this run's figures, for the table "Against the issue's targets". */
export function goalsTable(results: BenchResults): Table | undefined {
  const goals: Goal[] = [];
  if (results.overhead) goals.push(...overheadGoals(results.overhead));
  if (results.scaling) goals.push(scalingGoal(results.scaling));
  if (results.churn) goals.push(...churnGoals(results.churn));
  if (results.memory) {
    const m = results.memory;
    goals.push({
      scenario: 'memory',
      goal: `RSS after ${int(m.requests)} requests within ${MEMORY_MARGIN_PCT} % of after warm-up`,
      measured: `${m.growthMb >= 0 ? '+' : ''}${m.growthMb.toFixed(1)} MB (${pct(m.growthPct, 1)})`,
      met: m.growthPct <= MEMORY_MARGIN_PCT,
    });
  }
  const quiet = quietGoal(results);
  if (quiet !== undefined) goals.push(quiet);
  if (goals.length === 0) return undefined;
  return {
    title: "Against the issue's targets",
    headers: ['Scenario', 'Target', 'Measured', 'Met'],
    align: ['left', 'left', 'left', 'left'],
    rows: goals.map((g) => [g.scenario, g.goal, g.measured, g.met === undefined ? '?' : g.met ? 'yes' : 'NO']),
  };
}
