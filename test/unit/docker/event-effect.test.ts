import type { DockerEvent } from '../../../src/docker/docker-api';
import { eventEffect, type EventEffect } from '../../../src/docker/event-effect';

const ID = 'abc123';

function containerEvent(Action: string, signal?: string, Type: string | undefined = 'container'): DockerEvent {
  return {
    ...(Type === undefined ? {} : { Type }),
    Action,
    Actor: { ID, Attributes: { name: 'shop-web-1', ...(signal === undefined ? {} : { signal }) } },
  };
}

/** The replica's STOPSIGNAL is SIGQUIT (3), as nginx images set it. */
const stopSignalOf = (id: string): number | undefined => (id === ID ? 3 : undefined);

const stopping = (why: string, killed = false): EventEffect => ({ kind: 'stopping', id: ID, why, killed });
const RELIST: EventEffect = { kind: 'relist' };
const IGNORE: EventEffect = { kind: 'ignore' };

describe('eventEffect', () => {
  it.each<[string, DockerEvent, EventEffect]>([
    ['kill with SIGTERM by number', containerEvent('kill', '15'), stopping('kill (signal 15)')],
    ['kill with SIGKILL by number', containerEvent('kill', '9'), stopping('kill (signal 9)', true)],
    ['kill with SIGTERM by name', containerEvent('kill', 'SIGTERM'), stopping('kill (signal SIGTERM)')],
    ["kill with the container's own stop signal", containerEvent('kill', '3'), stopping('kill (signal 3)')],
    ['kill with HUP (a reload)', containerEvent('kill', '1'), IGNORE],
    ['kill with SIGHUP by name', containerEvent('kill', 'SIGHUP'), IGNORE],
    ['kill with USR1', containerEvent('kill', '10'), IGNORE],
    ['kill without a signal', containerEvent('kill'), IGNORE],
    ['stop', containerEvent('stop'), stopping('stop', true)],
    ['stop from an engine that sends no Type', containerEvent('stop', undefined, undefined), stopping('stop', true)],
    ['start', containerEvent('start'), RELIST],
    ['restart', containerEvent('restart'), RELIST],
    ['die', containerEvent('die'), RELIST],
    ['destroy', containerEvent('destroy'), RELIST],
    ['pause', containerEvent('pause'), RELIST],
    ['unpause', containerEvent('unpause'), RELIST],
    ['rename', containerEvent('rename'), RELIST],
    ['oom', containerEvent('oom'), RELIST],
    ['update', containerEvent('update'), RELIST],
    ['health_status: healthy (Docker 20.10)', containerEvent('health_status: healthy'), RELIST],
    ['health_status: unhealthy', containerEvent('health_status: unhealthy'), RELIST],
    ['a bare health_status (newer engines)', containerEvent('health_status'), RELIST],
    ['die without an actor ID', { Type: 'container', Action: 'die' }, RELIST],
    ['stop without an actor ID', { Type: 'container', Action: 'stop' }, IGNORE],
    ['exec_create', containerEvent('exec_create: sh -c true'), IGNORE],
    ['exec_start', containerEvent('exec_start: sh -c true'), IGNORE],
    ['exec_die', containerEvent('exec_die'), IGNORE],
    ['attach', containerEvent('attach'), IGNORE],
    ['create', containerEvent('create'), IGNORE],
    ['a network event', containerEvent('disconnect', undefined, 'network'), IGNORE],
    ['an image event named like a container one', containerEvent('destroy', undefined, 'image'), IGNORE],
    ['an event with no action', { Type: 'container', Actor: { ID } }, IGNORE],
  ])('%s', (_name, event, effect) => {
    expect(eventEffect(event, stopSignalOf)).toEqual(effect);
  });

  it('does not treat a signal as the stop signal of a replica it does not know', () => {
    expect(eventEffect({ ...containerEvent('kill', '3'), Actor: { ID: 'unknown', Attributes: { signal: '3' } } }, stopSignalOf)).toEqual(
      IGNORE,
    );
  });
});
