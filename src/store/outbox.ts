import { randomUUID } from "node:crypto";
import { type Envelope, makeEnvelope, STREAMS, type StreamName } from "../contract/envelope.js";
import { ErrorCodes, VigilError } from "../core/errors.js";
import type { Component } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import type { Database, Sublevel } from "./database.js";
import type { GroupCommit, WriteOp } from "./group-commit.js";
import { type BudgetEntry, OutboxBudget, type OutboxPolicy } from "./outbox-budget.js";
import { outboxKey, seqFromOutboxKey } from "./keys.js";

export interface OutboxOptions {
  /** Room shared by incidents and alerts. */
  readonly maxBytes: number;
  /** Audit's own room (audit never takes the others'); absent: unbounded. */
  readonly auditMaxBytes?: number;
  readonly policy: OutboxPolicy;
  /** Per stream, seconds after which an unsent message is dropped; 0 or absent keeps it. Never audit. */
  readonly ttlS: Partial<Record<"incidents" | "alerts", number>>;
  readonly sweepIntervalMs?: number;
}

export const DEFAULT_OUTBOX_OPTIONS: OutboxOptions = {
  maxBytes: 256 * 2 ** 20,
  policy: "shed-alerts-then-refuse-incidents",
  ttlS: {},
};

export interface OutboxStats {
  readonly policy: OutboxPolicy;
  readonly max_bytes: number;
  readonly used_bytes: number;
  /** Audit's own budget and whether it is spent (audit is kept beyond it, never dropped). */
  readonly audit_max_bytes: number | null;
  readonly audit_over_budget: boolean;
  readonly bytes: Readonly<Record<StreamName, number>>;
  /** Messages waiting per stream, and the age of the oldest of them (null when none waits). */
  readonly depth: Readonly<Record<StreamName, number>>;
  readonly oldest_age_s: Readonly<Record<StreamName, number | null>>;
  readonly dropped_alerts: number;
  readonly expired: number;
  readonly refused: number;
}

/** One `outbox.full` alert per this interval at most, however many messages are refused. */
const FULL_ALERT_INTERVAL_MS = 60_000;

/**
 * Data built when the batch is built, after the envelope's seq is known: for records that are
 * themselves numbered or chained in commit order (the audit chain). `abort` undoes what building
 * changed if the batch fails.
 */
export interface DeferredData<T> {
  build(envelopeSeq: number): { data: T; alongside?: WriteOp[] };
  abort?(): void;
}

/** An outbox entry ready for the wire: its key, seq and the envelope's JSON as stored. */
export interface SendableEntry {
  readonly key: string;
  readonly seq: number;
  readonly payload: string;
}

export interface OutboxEntry {
  readonly key: string;
  readonly envelope: Envelope;
}

/**
 * The durable queue between the gateway and the central server. An envelope's `seq` and `id` are
 * fixed when it is appended, in the same LevelDB batch as the record it describes (an incident,
 * say), so a crash either keeps both or neither, and retries resend the identical message.
 */
export class Outbox implements Component {
  readonly name = "outbox";
  private readonly nextSeq = new Map<StreamName, number>();
  private readonly listeners = new Set<(stream: StreamName) => void>();
  private readonly budget: OutboxBudget;
  private sweeper: NodeJS.Timeout | undefined;
  private lastFullAlert = 0;
  private pendingAcks: string[] = [];
  private ackFlush: Promise<void> | undefined;
  private readonly counters = { dropped_alerts: 0, expired: 0, refused: 0 };

  /** Refuses alerts on a volume below its free-space reserve (StoreSpace); set by the composition root. */
  spaceGuard: { admit(kind: "alert"): void } | undefined;

  constructor(
    private readonly database: Database,
    private readonly commits: GroupCommit,
    private readonly identity: { site: string; gateway: string },
    private readonly options: OutboxOptions = DEFAULT_OUTBOX_OPTIONS,
    private readonly log?: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.budget = new OutboxBudget(options.maxBytes, options.auditMaxBytes);
  }

  async start(): Promise<void> {
    const { meta, outbox } = this.database.sublevels;
    for (const stream of STREAMS) {
      const last = (await meta.get(`seq!${stream}`)) as number | undefined;
      this.nextSeq.set(stream, (last ?? 0) + 1);
    }
    // Byte accounting is rebuilt from what is on disk; keys iterate in stream, then seq order.
    for await (const [key, value] of outbox.iterator()) {
      const envelope = value as Envelope;
      this.budget.add(key, envelope.stream, Buffer.byteLength(JSON.stringify(envelope)), Date.parse(envelope.ts));
    }
    if (Object.values(this.options.ttlS).some((s) => s !== undefined && s > 0)) {
      this.sweeper = setInterval(
        () => void this.sweepExpired().catch((err: unknown) => this.log?.error({ err }, "outbox expiry sweep failed")),
        this.options.sweepIntervalMs ?? 60_000,
      );
      this.sweeper.unref();
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.sweeper);
    this.listeners.clear();
    // Deletes of acknowledged messages already promised: let them land before the store closes.
    await this.ackFlush?.catch(() => {});
  }

  get stats(): OutboxStats {
    const bytes = Object.fromEntries(STREAMS.map((s) => [s, this.budget.bytes(s)])) as Record<StreamName, number>;
    const depth = Object.fromEntries(STREAMS.map((s) => [s, this.budget.depth(s)])) as Record<StreamName, number>;
    const oldest = this.budget.oldest(STREAMS);
    const now = this.now().getTime();
    const oldest_age_s = Object.fromEntries(
      STREAMS.map((s) => [s, oldest.has(s) ? Math.max(0, Math.round((now - (oldest.get(s) ?? now)) / 1000)) : null]),
    ) as Record<StreamName, number | null>;
    return {
      policy: this.options.policy,
      max_bytes: this.options.maxBytes,
      used_bytes: this.budget.usedBytes,
      audit_max_bytes: this.options.auditMaxBytes ?? null,
      audit_over_budget: this.budget.auditOverBudget,
      bytes,
      depth,
      oldest_age_s,
      ...this.counters,
    };
  }

  /** Called after every durable append; the publisher uses it to wake up. */
  onAppend(listener: (stream: StreamName) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Appends one message, together with `alongside` (the domain write it announces), as one
   * durable batch. Resolves once both are fsynced.
   */
  async append<T>(stream: StreamName, type: string, data: T, alongside: WriteOp[] = []): Promise<Envelope<T>> {
    return this.appendDeferred(stream, type, { build: () => ({ data, alongside }) });
  }

  /** Like `append`, with the data built in commit order (see DeferredData). */
  async appendDeferred<T>(
    stream: StreamName,
    type: string,
    deferred: DeferredData<T>,
    options: { force?: boolean } = {},
  ): Promise<Envelope<T>> {
    // Alerts are the first writes refused on a data volume below its free-space reserve.
    if (stream === "alerts" && !options.force) this.spaceGuard?.admit("alert");
    const { meta, outbox } = this.database.sublevels;
    let envelope: Envelope<T> | undefined;
    let taken: number | undefined;
    let admitted: { key: string; dropped: Map<string, BudgetEntry> } | undefined;
    try {
      await this.commits.commit({
        // The seq is taken when the batch is built (in commit order) and given back if it fails;
        // the budget is charged at the same moment, so writes sharing a batch see each other.
        prepare: () => {
          const seq = this.nextSeq.get(stream) ?? 1;
          taken = seq;
          this.nextSeq.set(stream, seq + 1);
          const built = deferred.build(seq);
          const env = makeEnvelope({
            id: randomUUID(),
            stream,
            seq,
            ts: this.now(),
            ...this.identity,
            type,
            data: built.data,
          });
          envelope = env;
          const key = outboxKey(stream, seq);
          const bytes = Buffer.byteLength(JSON.stringify(env));
          const admission = this.budget.admit(stream, bytes, options.force);
          if (!admission.accept)
            throw new VigilError(
              ErrorCodes.OUTBOX_FULL,
              `outbox is full (${this.budget.usedBytes} of ${this.options.maxBytes} bytes): ${type} refused`,
            );
          const dropped = new Map<string, BudgetEntry>();
          for (const k of admission.drop) {
            const entry = this.budget.remove(k);
            if (entry) dropped.set(k, entry);
          }
          this.budget.add(key, stream, bytes, Date.parse(env.ts));
          admitted = { key, dropped };
          return [
            ...(built.alongside ?? []),
            ...admission.drop.map((k): WriteOp => ({ type: "del", sublevel: outbox, key: k })),
            { type: "put", sublevel: outbox, key, value: env },
            { type: "put", sublevel: meta, key: `seq!${stream}`, value: seq },
          ];
        },
        abort: () => {
          deferred.abort?.();
          if (taken !== undefined) this.nextSeq.set(stream, taken);
          // The batch never reached the disk: the new message is uncharged and the alerts it would
          // have displaced are counted again (now as the newest: only their drop order changes).
          if (admitted) {
            this.budget.remove(admitted.key);
            for (const [k, e] of admitted.dropped) this.budget.add(k, e.stream, e.bytes, e.ts);
          }
          admitted = undefined;
        },
      });
    } catch (err) {
      if (err instanceof VigilError && err.code === ErrorCodes.OUTBOX_FULL) this.onRefused(stream, type);
      throw err;
    }
    if (admitted && admitted.dropped.size > 0) {
      this.counters.dropped_alerts += admitted.dropped.size;
      this.log?.warn(
        { dropped: admitted.dropped.size, policy: this.options.policy },
        "outbox full: oldest alerts dropped",
      );
    }
    if (!envelope) throw new Error("outbox append committed without an envelope");
    for (const listener of this.listeners) listener(stream);
    return envelope;
  }

  /** Oldest entries of a stream with seq greater than `afterSeq`, in order. */
  async read(stream: StreamName, afterSeq: number, limit: number): Promise<OutboxEntry[]> {
    const entries: OutboxEntry[] = [];
    for await (const [key, value] of this.outboxLevel().iterator({
      gt: outboxKey(stream, afterSeq),
      lt: `${stream}!~`,
      limit,
    })) {
      entries.push({ key, envelope: value as Envelope });
    }
    return entries;
  }

  /**
   * The same entries as stored bytes, for sending: the JSON on disk is the JSON on the wire, so
   * the publisher neither parses nor re-serialises it, and large pages are fetched in few calls.
   */
  async readForSend(stream: StreamName, afterSeq: number, limit: number): Promise<SendableEntry[]> {
    const rows = await this.outboxLevel()
      // highWaterMarkBytes is classic-level's (not in abstract-level's types): bytes fetched per native call.
      .iterator<string, string>({
        gt: outboxKey(stream, afterSeq),
        lt: `${stream}!~`,
        limit,
        valueEncoding: "utf8",
        ...{ highWaterMarkBytes: 4 * 2 ** 20 },
      })
      .all();
    return rows.map(([key, payload]) => ({ key, seq: seqFromOutboxKey(key), payload }));
  }

  /**
   * Removes an acknowledged message. Idempotent: a late duplicate acknowledgement is harmless.
   * Deletes are batched per tick and not fsynced: LevelDB's log survives a process crash, and a
   * delete lost to a power cut only means a duplicate later, which the contract allows; an fsync
   * per PUBACK would halve the drain rate.
   */
  acknowledge(key: string): Promise<void> {
    this.pendingAcks.push(key);
    this.ackFlush ??= new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        const keys = this.pendingAcks;
        this.pendingAcks = [];
        this.ackFlush = undefined;
        // Inside try: a store closed meanwhile must reject this promise, not throw out of a timer.
        // Those entries stay queued and are resent after the restart (a duplicate, never a loss).
        try {
          this.database.level
            .batch(keys.map((k) => ({ type: "del" as const, sublevel: this.outboxLevel(), key: k })))
            .then(() => {
              for (const k of keys) this.budget.remove(k);
              resolve();
            }, reject);
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
    });
    return this.ackFlush;
  }

  /** Deletes messages past their stream's TTL (never audit); returns how many went. */
  async sweepExpired(): Promise<number> {
    const now = this.now().getTime();
    let removed = 0;
    for (const stream of ["incidents", "alerts"] as const) {
      const ttl = this.options.ttlS[stream];
      if (!ttl) continue;
      const keys = this.budget.expired(stream, now - ttl * 1000);
      if (keys.length === 0) continue;
      await this.commits.commit(keys.map((key): WriteOp => ({ type: "del", sublevel: this.outboxLevel(), key })));
      for (const key of keys) this.budget.remove(key);
      removed += keys.length;
      this.log?.warn({ stream, expired: keys.length, ttlS: ttl }, "outbox messages expired unsent");
    }
    this.counters.expired += removed;
    return removed;
  }

  /** The central server hears that the gateway is refusing data, at most once a minute. */
  private onRefused(stream: StreamName, type: string): void {
    this.counters.refused += 1;
    this.log?.error(
      { stream, type, usedBytes: this.budget.usedBytes, maxBytes: this.options.maxBytes },
      "outbox full: message refused",
    );
    const now = this.now().getTime();
    if (stream === "alerts" || now - this.lastFullAlert < FULL_ALERT_INTERVAL_MS) return;
    this.lastFullAlert = now;
    const data = {
      policy: this.options.policy,
      max_bytes: this.options.maxBytes,
      used_bytes: this.budget.usedBytes,
      refused: { stream, type },
    };
    void this.appendDeferred("alerts", "outbox.full", { build: () => ({ data }) }, { force: true }).catch(
      (err: unknown) => this.log?.error({ err }, "could not queue the outbox.full alert"),
    );
  }

  async depth(stream: StreamName): Promise<number> {
    let n = 0;
    for await (const _ of this.outboxLevel().keys({ gt: `${stream}!`, lt: `${stream}!~` })) n++;
    return n;
  }

  private outboxLevel(): Sublevel {
    return this.database.sublevels.outbox;
  }
}
