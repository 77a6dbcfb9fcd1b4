import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { IClientOptions, IPublishPacket, MqttClient } from "mqtt";
import { STREAMS, type Envelope, type StreamName } from "../contract/envelope.js";
import { admit, DEFAULT_LIMITS, type DedupeLimits, expireHoles, type StreamEvent, type StreamState } from "./dedupe.js";
import { dialBrokers } from "./connection.js";
import { EnvelopeValidator } from "./envelope-validator.js";
import { type AppOp, ConsumerStateStore } from "./state-store.js";
import { consumerFilters, parseStreamTopic, streamKey } from "./topics.js";
import { gapWaitFor } from "./gap-wait.js";

export interface CentralConsumerOptions {
  /** Broker URLs; the consumer moves to the next when one fails (a cluster's nodes, say). */
  readonly brokers: readonly string[];
  /** Fixed per consumer instance: the broker keeps its persistent session under this id. */
  readonly clientId: string;
  /** The consumer's own LevelDB lives in `<dataDir>/central-db`. */
  readonly dataDir: string;
  readonly prefix?: string;
  /** `<site>/<gateway>` patterns with `+`; default every gateway (`+/+`). */
  readonly partitions?: readonly string[];
  readonly streams?: readonly StreamName[];
  /** Shared subscription group, used on brokers that speak MQTT 5; ignored on 3.1.1 (NATS). */
  readonly group?: string;
  /** How long a seq hole may stay open before it is reported as a gap (default: 6 x brokerAckWaitMs, else 60 s). */
  readonly gapWaitMs?: number;
  /** The broker's QoS 1 redelivery delay (NATS `mqtt { ack_wait }`); the gap wait follows it (src/central/gap-wait.ts). */
  readonly brokerAckWaitMs?: number;
  readonly limits?: DedupeLimits;
  readonly mqtt?: Pick<
    IClientOptions,
    "username" | "password" | "ca" | "cert" | "key" | "rejectUnauthorized" | "keepalive"
  >;
  readonly schemasDir?: string;
}

/** One new message for the application; `put`/`del` land in the same synced batch as its dedupe mark. */
export interface Delivery {
  readonly envelope: Envelope;
  put(key: string, value: unknown): void;
  del(key: string): void;
}

export type DeliveryHandler = (delivery: Delivery) => Promise<void> | void;

export type ConsumerEvent =
  | (StreamEvent & { readonly stream: string })
  | { readonly kind: "delivered" | "duplicate"; readonly stream: string; readonly seq: number; readonly id: string }
  | { readonly kind: "invalid"; readonly topic: string; readonly errors: string }
  | { readonly kind: "handler_error"; readonly stream: string; readonly seq: number; readonly error: string }
  | {
      readonly kind: "connected";
      readonly url: string;
      readonly protocolVersion: 4 | 5;
      readonly sessionPresent: boolean;
      readonly filters: readonly string[];
    }
  | { readonly kind: "disconnected"; readonly url: string };

/**
 * Central's consumer: a persistent QoS 1 session, every envelope checked against the published
 * schemas, deduped by (gateway, stream, seq, id) with bounded state in its own LevelDB, holes
 * reported as gaps after `gapWaitMs`, and each new message handed to the application exactly
 * once: the PUBACK goes out only after the application's handler resolved and its writes and the
 * dedupe mark are on disk together, so a crash anywhere before that means a redelivery that the
 * dedupe state then recognises or not, never a loss or a second delivery.
 */
export class CentralConsumer {
  readonly name = "central-consumer";
  private readonly store: ConsumerStateStore;
  private validator: EnvelopeValidator | undefined;
  private client: MqttClient | undefined;
  private readonly versions = new Map<string, 4 | 5>();
  private readonly listeners = new Set<(event: ConsumerEvent) => void>();
  private stopped = true;
  private brokerIndex = 0;
  private gapTimer: NodeJS.Timeout | undefined;
  /** Message handling and gap expiry both change states: one at a time. */
  private lock: Promise<unknown> = Promise.resolve();
  private dialling: Promise<void> | undefined;
  private readonly prefix: string;
  private readonly gapWaitMs: number;
  private readonly limits: DedupeLimits;

  constructor(
    private readonly options: CentralConsumerOptions,
    private readonly handler: DeliveryHandler,
  ) {
    this.store = new ConsumerStateStore(join(options.dataDir, "central-db"));
    this.prefix = options.prefix ?? "vigil";
    this.gapWaitMs = gapWaitFor(options);
    this.limits = options.limits ?? DEFAULT_LIMITS;
    // Fails here, before any I/O, on a partition that is not <site>/<gateway>.
    consumerFilters({
      prefix: this.prefix,
      partitions: options.partitions ?? ["+/+"],
      streams: options.streams ?? STREAMS,
    });
  }

  on(listener: (event: ConsumerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: ConsumerEvent): void {
    for (const l of this.listeners) l(event);
  }

  /** The application's part of the consumer's LevelDB (what `Delivery.put` wrote). */
  get appStore() {
    return this.store.app;
  }

  /** Per stream state, as stored: high-water mark, counts, open holes. */
  async states(): Promise<Array<[string, StreamState]>> {
    const out: Array<[string, StreamState]> = [];
    for await (const entry of this.store.all()) out.push(entry);
    return out;
  }

  get connected(): boolean {
    return this.client?.connected === true;
  }

  async start(): Promise<void> {
    this.validator = await EnvelopeValidator.load(this.options.schemasDir);
    await this.store.open();
    this.stopped = false;
    const every = Math.max(50, Math.min(1_000, Math.floor(this.gapWaitMs / 4)));
    this.gapTimer = setInterval(() => void this.expireGaps(), every);
    this.gapTimer.unref();
    await this.dial();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.gapTimer);
    await this.dialling?.catch(() => {});
    const client = this.client;
    this.client = undefined;
    // Whatever is being handled finishes and commits; its PUBACK may not make it out, which only
    // means a redelivery that the state just written recognises as a duplicate.
    await this.lock.catch(() => {});
    await client?.endAsync(true).catch(() => {});
    await this.store.close();
  }

  private dial(): Promise<void> {
    const run = (async () => {
      for (let attempt = 0; !this.stopped; attempt++) {
        try {
          const dialled = await dialBrokers(
            this.options.brokers,
            { ...this.options.mqtt, clientId: this.options.clientId, clean: false },
            this.versions,
            (client) => {
              client.handleMessage = (packet, done) =>
                void this.handle(packet).then(
                  () => done(),
                  (err: Error) => done(err),
                );
            },
            this.brokerIndex,
          );
          if (this.stopped) {
            await dialled.client.endAsync(true).catch(() => {});
            return;
          }
          this.brokerIndex = this.options.brokers.indexOf(dialled.url);
          const group = dialled.protocolVersion === 5 ? this.options.group : undefined;
          const filters = consumerFilters({
            prefix: this.prefix,
            partitions: this.options.partitions ?? ["+/+"],
            streams: this.options.streams ?? STREAMS,
            group,
          });
          try {
            await dialled.client.subscribeAsync(filters, { qos: 1 });
          } catch (err) {
            // Lost before the subscription held: this loop dials again (not onClose, so never two dialers).
            dialled.client.end(true);
            throw err;
          }
          if (!dialled.client.connected) {
            dialled.client.end(true);
            throw new Error("connection lost while subscribing");
          }
          this.client = dialled.client;
          dialled.client.once("close", () => this.onClose(dialled.client, dialled.url));
          this.emit({
            kind: "connected",
            url: dialled.url,
            protocolVersion: dialled.protocolVersion,
            sessionPresent: dialled.sessionPresent,
            filters,
          });
          return;
        } catch {
          this.brokerIndex = (this.brokerIndex + 1) % Math.max(1, this.options.brokers.length);
          await sleep(Math.min(5_000, 100 * 2 ** Math.min(attempt, 6)));
        }
      }
    })();
    this.dialling = run;
    return run;
  }

  private onClose(client: MqttClient, url: string): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.end(true);
    this.emit({ kind: "disconnected", url });
    if (this.stopped) return;
    this.brokerIndex = (this.brokerIndex + 1) % Math.max(1, this.options.brokers.length);
    void this.dial();
  }

  private locked<T>(work: () => Promise<T>): Promise<T> {
    const run = this.lock.then(work);
    this.lock = run.catch(() => {});
    return run;
  }

  /** Resolves when the message may be acknowledged; never while the application has not taken it. */
  private handle(packet: IPublishPacket): Promise<void> {
    return this.locked(async () => {
      const topic = parseStreamTopic(this.prefix, packet.topic);
      let value: unknown;
      try {
        value = JSON.parse(Buffer.from(packet.payload).toString("utf8"));
      } catch {
        value = undefined;
      }
      const checked = this.validator?.validate(value) ?? { ok: false as const, errors: "consumer not started" };
      if (!topic || !checked.ok)
        return this.emit({
          kind: "invalid",
          topic: packet.topic,
          errors: topic ? (checked.ok ? "" : checked.errors) : "not an envelope topic",
        });
      const envelope = checked.envelope;
      // The topic is what a broker ACL vouches for; a body claiming another gateway is refused.
      if (envelope.site !== topic.site || envelope.gateway !== topic.gateway || envelope.stream !== topic.stream) {
        return this.emit({
          kind: "invalid",
          topic: packet.topic,
          errors: `envelope names ${envelope.site}/${envelope.gateway}/${envelope.stream}`,
        });
      }
      const key = streamKey(topic);
      const before = await this.store.get(key);
      const admission = admit(before, envelope.seq, envelope.id, Date.now(), this.limits);
      for (const e of admission.events) this.emit({ ...e, stream: key });
      if (admission.verdict !== "deliver") {
        if (admission.state !== before) await this.store.commit([[key, admission.state]]);
        if (admission.verdict === "duplicate")
          this.emit({ kind: "duplicate", stream: key, seq: envelope.seq, id: envelope.id });
        return;
      }
      const ops = await this.runHandler(key, envelope);
      await this.store.commit([[key, admission.state]], ops);
      this.emit({ kind: "delivered", stream: key, seq: envelope.seq, id: envelope.id });
    });
  }

  /** Retries a failing handler with backoff: the stream waits rather than skip or lose a message. */
  private async runHandler(key: string, envelope: Envelope): Promise<AppOp[]> {
    for (let attempt = 0; ; attempt++) {
      const ops: AppOp[] = [];
      try {
        await this.handler({
          envelope,
          put: (k, value) => ops.push({ type: "put", key: k, value }),
          del: (k) => ops.push({ type: "del", key: k }),
        });
        return ops;
      } catch (err) {
        this.emit({ kind: "handler_error", stream: key, seq: envelope.seq, error: (err as Error).message });
        if (this.stopped) throw err;
        await sleep(Math.min(5_000, 50 * 2 ** Math.min(attempt, 7)));
      }
    }
  }

  private async expireGaps(): Promise<void> {
    await this.locked(async () => {
      if (this.stopped) return;
      const changed: Array<[string, StreamState]> = [];
      for (const [key, state] of this.store.cached()) {
        if (state.holeSince === undefined) continue;
        const { state: next, events } = expireHoles(state, Date.now(), this.gapWaitMs, this.limits);
        if (events.length === 0) continue;
        changed.push([key, next]);
        for (const e of events) this.emit({ ...e, stream: key });
      }
      if (changed.length > 0) await this.store.commit(changed);
    }).catch(() => {});
  }
}
