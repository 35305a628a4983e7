import { ComposeRunError } from '../../../src/runtime/runtime-errors';
import { currentTasks, parseTaskRows, stackTable, type TaskRow } from '../../../src/runtime/tasks-report';
import { replica, replicasDoc } from './replicas-fixtures';

// What `status --stack` makes of `docker service ps --format '{{json .}}'`;
// cli-stack.test.ts shows whole tables.

const row = (name: string, desired: string, current: string, node = 'node-a'): TaskRow => ({ name, node, desired, current });

describe('parseTaskRows', () => {
  it('reads one task a line, the fields it shows and no others', () => {
    const states = { DesiredState: 'Running', CurrentState: 'Running 5 seconds ago' };
    const line = JSON.stringify({ ID: 'k3', Name: 'shop_web.1', Node: 'node-a', ...states, Error: '' });
    expect(parseTaskRows(`${line}\n\n${line}\n`)).toEqual([
      row('shop_web.1', 'Running', 'Running 5 seconds ago'),
      row('shop_web.1', 'Running', 'Running 5 seconds ago'),
    ]);
  });

  it('fails on a line that is no task (exit 1), saying what it was', () => {
    for (const text of ['ID NAME NODE', JSON.stringify({ Name: 'shop_web.1', Node: 3 })]) {
      expect(() => parseTaskRows(text)).toThrow(ComposeRunError);
      expect(() => parseTaskRows(text)).toThrow(`docker service ps printed a line that is not a task: ${text}`);
    }
  });
});

describe('currentTasks', () => {
  it('keeps tasks meant to run and tasks still up while they shut down; drops the history', () => {
    const rows = [
      row('shop_web.1', 'Running', 'Preparing 2 seconds ago'),
      row('shop_web.1', 'Shutdown', 'Running 1 minute ago'),
      row('shop_web.1', 'Shutdown', 'Failed 2 minutes ago'),
      row('shop_web.2', 'Shutdown', 'Starting 1 second ago'),
      row('shop_web.2', 'Shutdown', 'Shutdown 5 minutes ago'),
      row('shop_web.3', 'Remove', 'Complete 1 hour ago'),
    ];
    expect(currentTasks(rows).map((t) => `${t.name} ${t.current}`)).toEqual([
      'shop_web.1 Preparing 2 seconds ago',
      'shop_web.1 Running 1 minute ago',
      'shop_web.2 Starting 1 second ago',
    ]);
  });
});

describe('stackTable', () => {
  it('says so when the service has no task and the balancer no replica', () => {
    const doc = { ...replicasDoc([]), project: 'shop' };
    expect(stackTable({ balancer: 'web-lb', stack: 'shop', service: 'web', doc, tasks: [] })).toBe(
      'web-lb -> web [default route] (stack shop, round-robin): 0 of 0 ready; swarm: 0 of 0 tasks running\n  (no tasks)\n',
    );
  });

  it('pairs a task with the replica of its name; a global task, named by its node, stays apart from the replica', () => {
    const doc = replicasDoc([replica(1, 'ready', { name: 'shop_web.1' }), replica(2, 'ready', { name: 'shop_web.k3x9' })]);
    const tasks = [
      row('shop_web.1', 'Running', 'Running 1 minute ago'),
      row('shop_web.node-b', 'Running', 'Running 1 minute ago', 'node-b'),
    ];
    const lines = stackTable({ balancer: 'web-lb', stack: 'shop', service: 'web', doc, tasks }).split('\n');
    expect(lines.slice(2, 5).map((l) => l.split(/ {2,}/).slice(0, 5).join(' | '))).toEqual([
      'shop_web.1 | node-a | Running | Running 1 minute ago | ready',
      'shop_web.node-b | node-b | Running | Running 1 minute ago | -',
      'shop_web.k3x9 | - | - | - | ready',
    ]);
  });
});
