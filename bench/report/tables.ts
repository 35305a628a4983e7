import type { BenchResults } from '../results';
import type { MemoryResult } from '../scenarios/memory';
import { scalingDetailTable, scalingTable, slowReplicaTables } from './balancing-tables';
import { churnTables } from './churn-tables';
import { fixed, int, pct } from './format';
import { goalsTable } from './goals';
import { overheadCostTable, overheadTable, profileTables, routingTable, wireTable } from './overhead-tables';
import type { Table } from './text-table';

export function memoryTable(r: MemoryResult): Table {
  return {
    title: `Memory: compose-lb RSS over ${int(r.requests)} requests (${r.connections} connections, after ${int(r.warmupRequests)} warm-up requests)`,
    headers: ['Requests', 'RSS MB'],
    rows: [
      ['after warm-up', fixed(r.rssAfterWarmupMb)],
      ...r.samples.map((s) => [int(s.requests), fixed(s.rssMb)]),
      ['idle 3 s later', fixed(r.rssIdleMb)],
    ],
    notes: [
      `Growth: ${r.growthMb >= 0 ? '+' : ''}${fixed(r.growthMb)} MB (${pct(r.growthPct, 1)}); max ${fixed(r.rssMaxMb)} MB; trend ${r.trendMbPer100k >= 0 ? '+' : ''}${fixed(r.trendMbPer100k, 2)} MB per 100,000 requests; ${int(r.reqPerSec)} req/s; ${int(r.failures)} failures; others' CPU ${pct(r.othersCpuPct)}.`,
    ],
  };
}

/** Every table of a run, in reading order: the goals, then each scenario's, then the profile's. Pure. */
export function allTables(results: BenchResults): Table[] {
  const tables: Table[] = [];
  const goals = goalsTable(results);
  if (goals) tables.push(goals);
  if (results.overhead) tables.push(overheadTable(results.overhead), overheadCostTable(results.overhead), wireTable(results.overhead));
  if (results.routing) tables.push(routingTable(results.routing));
  if (results.scaling) tables.push(scalingTable(results.scaling), scalingDetailTable(results.scaling));
  if (results.slowReplica) tables.push(...slowReplicaTables(results.slowReplica));
  if (results.churn) tables.push(...churnTables(results.churn));
  if (results.memory) tables.push(memoryTable(results.memory));
  if (results.overhead?.profile) tables.push(...profileTables(results.overhead.profile));
  return tables;
}
