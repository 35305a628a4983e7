import { EventEmitter } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import type { ContainerJson, DockerApi, DockerEvent } from '../../../src/docker/docker-api';

export type DockerMethod = keyof DockerApi;

/**
 * An in-memory Docker engine behind the DockerApi interface. `listContainerIds`
 * and `inspectContainer` read a container table the test edits; each
 * `streamEvents` call opens a PassThrough the test writes raw bytes into, so
 * events can arrive split or merged as the daemon's would. Any call can be made
 * to fail, and the stream can end or break as in a daemon restart. Every call is
 * journalled in order.
 */
export class FakeDocker implements DockerApi {
  /** Every call in order: `streamEvents`, `listContainerIds`, `inspectContainer <id>`. */
  readonly calls: string[] = [];
  /** Labels of the last list or stream call. */
  lastLabels: readonly string[] = [];
  private readonly table = new Map<string, ContainerJson>();
  private readonly failures = new Map<DockerMethod, Error[]>();
  private readonly called = new EventEmitter();
  private streamGate: Promise<void> | undefined;
  private readonly opened: PassThrough[] = [];

  constructor(...containers: ContainerJson[]) {
    this.add(...containers);
  }

  /** Adds or replaces containers (by Id). */
  add(...containers: ContainerJson[]): this {
    for (const c of containers) this.table.set(c.Id, c);
    return this;
  }

  remove(id: string): this {
    this.table.delete(id);
    return this;
  }

  /** The next call of `method` rejects with `err`; queue several for several calls. */
  failNext(method: DockerMethod, err: Error = new Error(`fake docker: ${method} failed`)): this {
    const queue = this.failures.get(method) ?? [];
    queue.push(err);
    this.failures.set(method, queue);
    return this;
  }

  /** Holds the next `streamEvents` calls pending until the returned function is called. */
  holdStreams(): () => void {
    let release = (): void => {};
    this.streamGate = new Promise((resolve) => {
      release = () => {
        this.streamGate = undefined;
        resolve();
      };
    });
    return release;
  }

  count(method: DockerMethod): number {
    return this.calls.filter((call) => call.split(' ')[0] === method).length;
  }

  /** Resolves once `method` has been called `times` times in all. */
  waitForCalls(method: DockerMethod, times: number): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.count(method) < times) return;
        this.called.off('call', check);
        resolve();
      };
      this.called.on('call', check);
      check();
    });
  }

  /** Every events stream opened so far, oldest first. */
  get streams(): readonly PassThrough[] {
    return this.opened;
  }

  /** The most recently opened events stream. */
  get stream(): PassThrough {
    const last = this.opened[this.opened.length - 1];
    if (last === undefined) throw new Error('fake docker: no events stream was opened');
    return last;
  }

  /** Writes the events to the current stream as one chunk, one JSON object per line, as dockerd does. */
  emit(...events: DockerEvent[]): void {
    this.write(events.map((e) => `${JSON.stringify(e)}\n`).join(''));
  }

  /** Writes raw bytes to the current stream. */
  write(chunk: string | Buffer): void {
    this.stream.write(chunk);
  }

  /** The daemon closes the stream cleanly. */
  endStream(): void {
    this.stream.end();
  }

  /** The connection to the daemon breaks. */
  breakStream(err: Error = new Error('fake docker: connection reset')): void {
    this.stream.destroy(err);
  }

  async listContainerIds(labels: readonly string[]): Promise<string[]> {
    this.record('listContainerIds');
    this.lastLabels = labels;
    this.throwIfFailing('listContainerIds');
    return [...this.table.values()]
      .filter((c) => c.State?.Running === true && c.State.Paused !== true && hasLabels(c, labels))
      .map((c) => c.Id);
  }

  /** Like Docker, accepts a full ID, a unique ID prefix or a name. */
  async inspectContainer(id: string): Promise<ContainerJson | undefined> {
    this.record(`inspectContainer ${id}`);
    this.throwIfFailing('inspectContainer');
    const exact = this.table.get(id);
    if (exact !== undefined) return exact;
    const matches = [...this.table.values()].filter((c) => c.Id.startsWith(id) || c.Name === `/${id}`);
    return matches.length === 1 ? matches[0] : undefined;
  }

  async streamEvents(labels: readonly string[]): Promise<Readable> {
    this.record('streamEvents');
    this.lastLabels = labels;
    await this.streamGate;
    this.throwIfFailing('streamEvents');
    const stream = new PassThrough();
    this.opened.push(stream);
    return stream;
  }

  private record(call: string): void {
    this.calls.push(call);
    this.called.emit('call');
  }

  private throwIfFailing(method: DockerMethod): void {
    const err = this.failures.get(method)?.shift();
    if (err !== undefined) throw err;
  }
}

function hasLabels(c: ContainerJson, labels: readonly string[]): boolean {
  const own = c.Config?.Labels ?? {};
  return labels.every((label) => {
    const [key = '', ...value] = label.split('=');
    return own[key] === value.join('=');
  });
}
