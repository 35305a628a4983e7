import type { BenchResults } from '../results';
import { addedDelay } from '../scenarios/churn-summary';
import { ROUTING_IDS } from '../scenarios/routing';
import { bestStrategy } from '../scenarios/slow-replica-summary';
import { roundRatios, type OverheadRun } from '../scenarios/overhead-summary';
import { quantile, ratio } from '../stats';
import { REFERENCE_IDS } from '../targets';
import { fixed, int, latency, ms, pct, signedPct, times } from './format';
import type { Table } from './text-table';

/** The goals for overhead, as ratios to the references measured in the same run. */
export const OVERHEAD_GOALS = { vsHaproxy: 0.5, moonshot: 0.8, p99VsHaproxy: 2, vsPlain: 1.8, vsUndici: 0.9, tcpVsHaproxy: 0.9, tcpVsRelay: 0.9 } as const;
/** Memory stays flat: RSS within a small margin of where it was after warm-up. */
const MEMORY_MARGIN_PCT = 10;
/** Routing with many rules costs no more than this much throughput. */
const ROUTING_MARGIN = 0.03;
/** Discovery's extra hop adds less than this to the time from a kill to draining. */
const DISCOVERY_ADDS_MS = 50;

interface Goal {
  readonly scenario: string;
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean | undefined;
}

/** Fewer paired rounds than this, and their spread says little: none is shown. */
const MIN_ROUNDS_FOR_SPREAD = 4;

/**
 * A ratio of medians, with the interquartile range (IQR: the middle half) of the same ratio taken
 * round by round: how far the machine's slow stretches moved it within the run, so a verdict near
 * the line can be read as one.
 */
function ratioWithSpread(value: number | undefined, runs: readonly OverheadRun[], target: string, reference: string): string {
  const spread = roundSpread(runs, target, reference);
  return spread === undefined ? times(value) : `${times(value)} (rounds' IQR ${spread[0].toFixed(2)}–${spread[1].toFixed(2)})`;
}

/** The same as a change in per cent, for the routing comparisons. */
function changeWithSpread(value: number | undefined, runs: readonly OverheadRun[], target: string, reference: string): string {
  const spread = roundSpread(runs, target, reference);
  const change = `${signedPct(value)} req/s`;
  return spread === undefined ? change : `${change} (rounds' IQR ${signedPct(spread[0])} to ${signedPct(spread[1])})`;
}

/** The first and third quartiles of `target`'s req/s over `reference`'s, round by round. */
function roundSpread(runs: readonly OverheadRun[], target: string, reference: string): readonly [number, number] | undefined {
  const perRound = roundRatios(runs, target, reference);
  return perRound.length < MIN_ROUNDS_FOR_SPREAD ? undefined : [quantile(perRound, 0.25), quantile(perRound, 0.75)];
}

const atLeast = (value: number | undefined, goal: number): boolean | undefined => (value === undefined ? undefined : value >= goal);

function overheadGoals(r: NonNullable<BenchResults['overhead']>): Goal[] {
  const row = (id: string) => r.rows.find((x) => x.target === id);
  const lb = row(REFERENCE_IDS.composeLb);
  const tcp = row(REFERENCE_IDS.composeLbTcp);
  const relay = row(REFERENCE_IDS.tcpRelay);
  const g = OVERHEAD_GOALS;
  const goals: Goal[] = [];
  if (lb !== undefined) {
    const p99 = lb.p99VsHaproxy;
    const vsHaproxy = ratioWithSpread(lb.vsHaproxy, r.runs, lb.target, REFERENCE_IDS.haproxy);
    goals.push(
      { scenario: 'overhead', goal: `req/s ≥ ${g.vsHaproxy}× HAProxy`, measured: vsHaproxy, met: atLeast(lb.vsHaproxy, g.vsHaproxy) },
      { scenario: 'overhead', goal: `req/s ≥ ${g.moonshot}× HAProxy (moonshot)`, measured: vsHaproxy, met: atLeast(lb.vsHaproxy, g.moonshot) },
      { scenario: 'overhead', goal: `p99 ≤ ${g.p99VsHaproxy}× HAProxy's`, measured: times(p99), met: p99 === undefined ? undefined : p99 <= g.p99VsHaproxy },
      {
        scenario: 'overhead',
        goal: `req/s ≥ ${g.vsPlain}× the plain http-proxy script`,
        measured: ratioWithSpread(lb.vsPlain, r.runs, lb.target, REFERENCE_IDS.plain),
        met: atLeast(lb.vsPlain, g.vsPlain),
      },
      {
        scenario: 'overhead',
        goal: `req/s ≥ ${g.vsUndici}× the plain undici proxy`,
        measured: ratioWithSpread(lb.vsUndici, r.runs, lb.target, REFERENCE_IDS.undici),
        met: atLeast(lb.vsUndici, g.vsUndici),
      },
    );
  }
  const proxies = r.rows.filter((x) => x.target !== REFERENCE_IDS.direct);
  const missing = proxies.filter((x) => x.proxyUsPerReq === undefined || !Number.isFinite(x.proxyUsPerReq));
  goals.push({
    scenario: 'overhead',
    goal: 'proxy CPU µs per request reported for every proxy',
    measured: lb === undefined ? `${proxies.length - missing.length} of ${proxies.length}` : `compose-lb ${fixed(lb.proxyUsPerReq)} µs (of which kernel ${fixed(lb.proxySysUsPerReq)})`,
    met: proxies.length > 0 && missing.length === 0,
  });
  if (tcp !== undefined) {
    goals.push({
      scenario: 'overhead, TCP',
      goal: `LB_MODE=tcp req/s ≥ ${g.tcpVsHaproxy}× HAProxy mode tcp`,
      measured: ratioWithSpread(tcp.vsHaproxy, r.runs, tcp.target, REFERENCE_IDS.haproxyTcp),
      met: atLeast(tcp.vsHaproxy, g.tcpVsHaproxy),
    });
  }
  if (tcp !== undefined && relay !== undefined) {
    // The undici target's rule for TCP mode: its features cost at most 10 % over the leanest Node relay.
    // The relay's own ratio to HAProxy says how far a Node process can go here at all.
    const vsRelay = ratio(tcp.reqPerSec, relay.reqPerSec);
    goals.push({
      scenario: 'overhead, TCP',
      goal: `LB_MODE=tcp req/s ≥ ${g.tcpVsRelay}× the plain Node TCP relay`,
      measured: `${ratioWithSpread(vsRelay, r.runs, tcp.target, relay.target)}; relay: ${times(relay.vsHaproxy)} HAProxy tcp`,
      met: atLeast(vsRelay, g.tcpVsRelay),
    });
  }
  return goals;
}

function routingGoals(r: NonNullable<BenchResults['routing']>): Goal[] {
  const row = (id: string) => r.rows.find((x) => x.target === id);
  const [one, many, control] = [row(ROUTING_IDS.oneRule), row(ROUTING_IDS.manyRules), row(ROUTING_IDS.control)];
  const change = ratio(many?.reqPerSec, one?.reqPerSec);
  const drift = ratio(control?.reqPerSec, one?.reqPerSec);
  // The rules' own cost against what a whole request costs compose-lb: a figure the machine's noise does not move.
  const addedUs = (r.router.manyRulesNs - r.router.oneRuleNs) / 1000;
  const share = one?.proxyUsPerReq === undefined ? undefined : addedUs / one.proxyUsPerReq;
  return [
    {
      scenario: 'routing',
      goal: `${r.rules} host rules (the last matching): req/s within ${ROUTING_MARGIN * 100} % of 1 rule`,
      measured: `${changeWithSpread(change, r.runs, ROUTING_IDS.manyRules, ROUTING_IDS.oneRule)}, ${signedPct(ratio(many?.proxyUsPerReq, one?.proxyUsPerReq))} CPU per request`,
      met: change === undefined ? undefined : change >= 1 - ROUTING_MARGIN,
    },
    {
      scenario: 'routing',
      goal: `the router alone: ${r.rules} rules add under ${ROUTING_MARGIN * 100} % to a request's CPU`,
      measured: `${fixed(addedUs, 2)} µs more per match, ${share === undefined ? '–' : pct(100 * share, 2)} of ${fixed(one?.proxyUsPerReq)} µs`,
      met: share === undefined ? undefined : share < ROUTING_MARGIN,
    },
    {
      scenario: 'routing',
      goal: `A/A control: two identical 1-rule balancers within ${ROUTING_MARGIN * 100} % (else the first row is unresolved)`,
      measured: `${changeWithSpread(drift, r.runs, ROUTING_IDS.control, ROUTING_IDS.oneRule)}, ${signedPct(ratio(control?.proxyUsPerReq, one?.proxyUsPerReq))} CPU per request`,
      met: drift === undefined ? undefined : Math.abs(drift - 1) <= ROUTING_MARGIN,
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

function slowReplicaGoals(r: NonNullable<BenchResults['slowReplica']>): Goal[] {
  const { best, haproxy } = bestStrategy(r.rows, 'haproxy-leastconn');
  if (best === undefined) return [];
  const name = best.target.replace('compose-lb-', '');
  const fair = 1 / r.replicas;
  return [
    {
      scenario: 'slow-replica',
      goal: "best compose-lb strategy: p99 ≤ HAProxy leastconn's",
      measured: `${name} ${latency(best.p99Us)} vs ${latency(haproxy?.p99Us)}`,
      met: haproxy === undefined ? undefined : best.p99Us <= haproxy.p99Us,
    },
    {
      scenario: 'slow-replica',
      goal: `best compose-lb strategy: the slow replica gets less than its fair share (${pct(100 * fair)})`,
      measured: `${name} ${pct(100 * best.slowShare, 1)}`,
      met: best.slowShare < fair,
    },
  ];
}

/** The largest of the values that were measured, if any was. */
function largest(values: readonly (number | undefined)[]): number | undefined {
  const measured = values.filter((x): x is number => x !== undefined);
  return measured.length === 0 ? undefined : Math.max(...measured);
}

function churnGoals(r: NonNullable<BenchResults['churn']>): Goal[] {
  const failures = r.non2xx + r.errors + r.timeouts;
  const never = r.replicas.filter((x) => x.requests === 0).length;
  const slowest = largest(r.replicas.map((x) => x.readyToFirstRequestMs));
  const rotation = largest(r.replicas.map((x) => x.readyToRotationMs));
  const failedPhases = r.phases.filter((p) => p.non2xx + p.errors + p.timeouts > 0).map((p) => p.name);
  const [socket, fed] = r.drains;
  const added = socket === undefined || fed === undefined ? undefined : addedDelay(socket.delays, fed.delays);
  return [
    {
      scenario: 'churn',
      goal: 'zero errors',
      measured: `${int(failures)} of ${int(r.requests)}${failedPhases.length > 0 ? ` (in: ${failedPhases.join('; ')})` : ''}`,
      met: failures === 0,
    },
    {
      scenario: 'churn',
      goal: 'new replicas serving within 100 ms of listening',
      measured: `slowest ${ms(slowest)}${never > 0 ? `, ${never} never served` : ''}${rotation === undefined ? '' : `; in rotation within ${ms(rotation)}`}`,
      met: slowest === undefined ? undefined : slowest <= 100 && never === 0,
    },
    {
      scenario: 'churn',
      goal: `discovery adds < ${DISCOVERY_ADDS_MS} ms from a kill to draining`,
      measured: added === undefined ? '–' : `median ${ms(added.medianMs)}, slowest ${ms(added.maxMs)} (${int(added.count)} kills)`,
      met: added?.medianMs === undefined ? undefined : added.medianMs < DISCOVERY_ADDS_MS,
    },
  ];
}

/** Above this, another user's work on the machine may have moved the figures. */
const QUIET_PCT = 5;

/** The most CPU processes outside the bench used during any measured run, and where. */
function quietGoal(results: BenchResults): Goal | undefined {
  const seen: { pct: number; where: string; by: string }[] = [
    ...(results.overhead?.runs ?? []).map((r) => ({ pct: r.othersCpuPct, where: `overhead ${r.target}`, by: r.othersBy })),
    ...(results.routing?.runs ?? []).map((r) => ({ pct: r.othersCpuPct, where: `routing ${r.target}`, by: r.othersBy })),
    ...(results.scaling?.points ?? []).map((p) => ({ pct: p.othersCpuPct, where: `scaling ${p.replicas} ${p.target}`, by: p.othersBy })),
    ...(results.slowReplica?.rows ?? []).map((p) => ({ pct: p.othersCpuPct, where: `slow-replica ${p.target} ${p.run}`, by: '' })),
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

/** Pure: the project's goals against this run's figures, met or not. */
export function goalsTable(results: BenchResults): Table | undefined {
  const goals: Goal[] = [];
  if (results.overhead) goals.push(...overheadGoals(results.overhead));
  if (results.routing) goals.push(...routingGoals(results.routing));
  if (results.scaling) goals.push(scalingGoal(results.scaling));
  if (results.slowReplica) goals.push(...slowReplicaGoals(results.slowReplica));
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
    title: 'Goals, met or not',
    headers: ['Scenario', 'Target', 'Measured', 'Met'],
    align: ['left', 'left', 'left', 'left'],
    rows: goals.map((g) => [g.scenario, g.goal, g.measured, g.met === undefined ? '?' : g.met ? 'yes' : 'NO']),
  };
}
