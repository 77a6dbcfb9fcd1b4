import { STREAMS, type StreamName } from "../contract/envelope.js";
import type { GatewayTopics } from "../contract/topics.js";
import type { Component } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import type { Outbox, SendableEntry } from "../store/outbox.js";

export interface Publisher {
  readonly connected: boolean;
  publish(topic: string, payload: string | Buffer): Promise<void>;
  onConnect(listener: () => void): void;
  onClose(listener: () => void): void;
}

export interface PublisherStats {
  published: number;
  acknowledged: number;
  failed: number;
  inFlight: number;
}

/**
 * Drains the outbox to the broker with a window of QoS 1 messages in flight per stream (pipelined:
 * a 1 ms round trip would otherwise cap us at 1,000 msg/s). A message leaves the outbox only on
 * PUBACK. When the connection drops, everything unacknowledged is sent again from the head of the
 * stream on the next connection: duplicates are possible, loss and reordering are not.
 */
export class OutboxPublisher implements Component {
  readonly name = "outbox-publisher";
  private generation = 0;
  /** Highest seq sent, per stream, in this connection generation. */
  private readonly cursor = new Map<StreamName, number>();
  private readonly inFlight = new Map<StreamName, number>();
  /** Entries read from disk but not sent yet: refilling the window on PUBACK needs no disk read. */
  private readonly ahead = new Map<StreamName, SendableEntry[]>();
  /** Highest seq read into `ahead`. */
  private readonly readTo = new Map<StreamName, number>();
  /** Streams whose last read reached the end; read again only after an append or a reset. */
  private readonly readAll = new Set<StreamName>();
  private pumping = false;
  private again = false;
  private running = false;
  private readonly counters: PublisherStats = { published: 0, acknowledged: 0, failed: 0, inFlight: 0 };
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly outbox: Outbox,
    private readonly uplink: Publisher,
    private readonly topics: GatewayTopics,
    private readonly window: number,
    private readonly log: Logger,
  ) {}

  get stats(): Readonly<PublisherStats> {
    return { ...this.counters, inFlight: [...this.inFlight.values()].reduce((a, b) => a + b, 0) };
  }

  async start(): Promise<void> {
    this.running = true;
    this.uplink.onConnect(() => this.kick());
    this.uplink.onClose(() => this.reset());
    this.unsubscribe = this.outbox.onAppend((stream) => {
      this.readAll.delete(stream);
      this.kick();
    });
    this.kick();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
  }

  /** Forget what was in flight: after a reconnect the head of each stream is sent again. */
  private reset(): void {
    this.generation += 1;
    this.cursor.clear();
    this.inFlight.clear();
    this.ahead.clear();
    this.readTo.clear();
    this.readAll.clear();
  }

  kick(): void {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    void this.pump()
      .catch((err: unknown) => this.log.error({ err }, "outbox pump failed"))
      .finally(() => {
        this.pumping = false;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Sends from the read-ahead buffer until the window is full; synchronous. */
  private fill(stream: StreamName): void {
    const queue = this.ahead.get(stream);
    while (
      queue &&
      queue.length > 0 &&
      (this.inFlight.get(stream) ?? 0) < this.window &&
      this.running &&
      this.uplink.connected
    ) {
      this.send(stream, queue.shift() as SendableEntry);
    }
  }

  private async pump(): Promise<void> {
    for (const stream of STREAMS) {
      if (!this.running || !this.uplink.connected) return;
      this.fill(stream);
      const queued = this.ahead.get(stream)?.length ?? 0;
      // Keep up to two windows read ahead, in pages of one, so a page read never starves the window.
      if (queued > this.window || this.readAll.has(stream)) continue;
      const generation = this.generation;
      this.readAll.add(stream);
      const entries = await this.outbox.readForSend(
        stream,
        this.readTo.get(stream) ?? this.cursor.get(stream) ?? 0,
        this.window,
      );
      if (generation !== this.generation) continue;
      // A full page means there may be more; an append arriving meanwhile cleared the flag anyway.
      if (entries.length === this.window) this.readAll.delete(stream);
      if (entries.length === 0) continue;
      const queue = this.ahead.get(stream) ?? [];
      queue.push(...entries);
      this.ahead.set(stream, queue);
      this.readTo.set(stream, entries[entries.length - 1]?.seq ?? 0);
      this.fill(stream);
    }
  }

  private send(stream: StreamName, entry: SendableEntry): void {
    const generation = this.generation;
    this.cursor.set(stream, entry.seq);
    this.inFlight.set(stream, (this.inFlight.get(stream) ?? 0) + 1);
    this.counters.published += 1;
    this.uplink
      .publish(this.topics.stream(stream), entry.payload)
      .then(
        () => {
          this.counters.acknowledged += 1;
          // The window slot is free on PUBACK; the delete from disk follows in its own batch.
          void this.outbox
            .acknowledge(entry.key)
            .catch((err: unknown) =>
              this.log.error({ err, key: entry.key }, "could not delete an acknowledged message"),
            );
        },
        (err: unknown) => {
          this.counters.failed += 1;
          this.log.debug({ err, seq: entry.seq, stream }, "publish not acknowledged; will resend");
          if (generation !== this.generation) return;
          // Refused while still connected (an MQTT 5 reason code): start this round again, later,
          // so the stream's order holds and a permanent refusal does not spin.
          this.reset();
          setTimeout(() => this.kick(), 1000).unref();
        },
      )
      .finally(() => {
        if (generation !== this.generation) return;
        this.inFlight.set(stream, Math.max(0, (this.inFlight.get(stream) ?? 1) - 1));
        this.fill(stream);
        if ((this.ahead.get(stream)?.length ?? 0) <= this.window) this.kick();
      });
  }
}
