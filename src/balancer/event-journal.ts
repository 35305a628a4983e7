/** Something that happened to a replica, for the status page: added, draining, removed, ejected... */
export interface ReplicaEvent {
  /** Epoch ms. */
  readonly at: number;
  readonly replica: string;
  readonly event: string;
  readonly why: string;
}

/** The last events of a service, newest last; old ones fall off. */
export class EventJournal {
  private readonly events: ReplicaEvent[] = [];

  constructor(
    private readonly keep = 50,
    private readonly now: () => number = Date.now,
  ) {}

  add(replica: string, event: string, why: string): void {
    this.events.push({ at: this.now(), replica, event, why });
    if (this.events.length > this.keep) this.events.shift();
  }

  recent(): readonly ReplicaEvent[] {
    return this.events;
  }
}
