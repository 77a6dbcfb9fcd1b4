import { randomBytes } from "node:crypto";
import type { VigilEvents } from "../contract/events.js";
import type { Incident } from "../contract/incident.js";
import type { Role } from "../contract/roles.js";
import type { EventBus } from "../core/event-bus.js";
import type { Component } from "../core/lifecycle.js";

/** One live change as `GET /v1/events` sends it; `minRole` decides who receives it. */
export interface FeedEvent {
  /** `<boot>.<seq>`: the SSE id a reconnecting client sends back as `Last-Event-ID`. */
  readonly id: string;
  readonly type: "incident.created" | "incident.updated" | "approval.requested";
  readonly minRole: Role;
  readonly data: Incident;
}

export type FeedListener = (event: FeedEvent) => void;

/**
 * The recent incident changes, in order, for the console's live queue. A ring of the last
 * `capacity` changes lets a client that lost its connection resume from its `Last-Event-ID`
 * without missing one; an id from before the ring (or from another run of the daemon) gets
 * `reset`: the client reloads its list instead. Memory only: the store is the truth.
 */
export class IncidentFeed implements Component {
  readonly name = "incident-feed";
  private readonly boot = randomBytes(4).toString("hex");
  private seq = 0;
  private readonly ring: FeedEvent[] = [];
  private readonly listeners = new Set<FeedListener>();
  private off: (() => void) | undefined;

  constructor(
    private readonly bus: EventBus<VigilEvents>,
    private readonly capacity = 2000,
  ) {}

  async start(): Promise<void> {
    this.off = this.bus.on("incident.changed", ({ incident, type }) => {
      this.publish(type, "viewer", incident);
      // Supervisors (and admins) also hear that an approval waits for them.
      const last = incident.history.at(-1);
      if (incident.status === "dispatch_pending_review" && last?.action === "request_dispatch")
        this.publish("approval.requested", "supervisor", incident);
    });
  }

  async stop(): Promise<void> {
    this.off?.();
    this.listeners.clear();
  }

  subscribe(listener: FeedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  /** The events after `lastEventId`, or `reset` when they are no longer all here. */
  since(lastEventId: string | undefined): FeedEvent[] | "reset" {
    if (lastEventId === undefined) return [];
    const [boot, n] = lastEventId.split(".");
    const seq = Number(n);
    if (boot !== this.boot || !Number.isInteger(seq) || seq > this.seq) return "reset";
    const first = this.ring[0];
    if (first !== undefined && seq < this.seqOf(first) - 1) return "reset";
    if (first === undefined && seq < this.seq) return "reset";
    return this.ring.filter((e) => this.seqOf(e) > seq);
  }

  private seqOf(e: FeedEvent): number {
    return Number(e.id.slice(this.boot.length + 1));
  }

  private publish(type: FeedEvent["type"], minRole: Role, data: Incident): void {
    const event: FeedEvent = { id: `${this.boot}.${++this.seq}`, type, minRole, data };
    this.ring.push(event);
    if (this.ring.length > this.capacity) this.ring.shift();
    for (const listener of [...this.listeners]) listener(event);
  }
}
