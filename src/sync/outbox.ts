import { randomUUID } from "node:crypto";
import { type Envelope, makeEnvelope, STREAMS, type StreamName } from "../contract/envelope.js";
import type { Component } from "../core/lifecycle.js";
import type { Database, Sublevel } from "../store/database.js";
import type { GroupCommit, WriteOp } from "../store/group-commit.js";

const SEQ_WIDTH = 16;

export function outboxKey(stream: StreamName, seq: number): string {
  return `${stream}!${seq.toString().padStart(SEQ_WIDTH, "0")}`;
}

/**
 * Data built when the batch is built, after the envelope's seq is known: for records that are
 * themselves numbered or chained in commit order (the audit chain). `abort` undoes what building
 * changed if the batch fails.
 */
export interface DeferredData<T> {
  build(envelopeSeq: number): { data: T; alongside?: WriteOp[] };
  abort?(): void;
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

  constructor(
    private readonly database: Database,
    private readonly commits: GroupCommit,
    private readonly identity: { site: string; gateway: string },
    private readonly now: () => Date = () => new Date(),
  ) {}

  async start(): Promise<void> {
    const meta = this.database.sublevels.meta;
    for (const stream of STREAMS) {
      const last = (await meta.get(`seq!${stream}`)) as number | undefined;
      this.nextSeq.set(stream, (last ?? 0) + 1);
    }
  }

  async stop(): Promise<void> {
    this.listeners.clear();
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
  async appendDeferred<T>(stream: StreamName, type: string, deferred: DeferredData<T>): Promise<Envelope<T>> {
    const { meta, outbox } = this.database.sublevels;
    let envelope: Envelope<T> | undefined;
    let taken: number | undefined;
    await this.commits.commit({
      // The seq is taken when the batch is built (in commit order) and given back if it fails.
      prepare: () => {
        const seq = this.nextSeq.get(stream) ?? 1;
        taken = seq;
        this.nextSeq.set(stream, seq + 1);
        const built = deferred.build(seq);
        envelope = makeEnvelope({ id: randomUUID(), stream, seq, ts: this.now(), ...this.identity, type, data: built.data });
        return [
          ...(built.alongside ?? []),
          { type: "put", sublevel: outbox, key: outboxKey(stream, seq), value: envelope },
          { type: "put", sublevel: meta, key: `seq!${stream}`, value: seq },
        ];
      },
      abort: () => {
        deferred.abort?.();
        if (taken !== undefined) this.nextSeq.set(stream, taken);
      },
    });
    if (!envelope) throw new Error("outbox append committed without an envelope");
    for (const listener of this.listeners) listener(stream);
    return envelope;
  }

  /** Oldest entries of a stream with seq greater than `afterSeq`, in order. */
  async read(stream: StreamName, afterSeq: number, limit: number): Promise<OutboxEntry[]> {
    const entries: OutboxEntry[] = [];
    for await (const [key, value] of this.outboxLevel().iterator({ gt: outboxKey(stream, afterSeq), lt: `${stream}!~`, limit })) {
      entries.push({ key, envelope: value as Envelope });
    }
    return entries;
  }

  /** Removes an acknowledged message. Idempotent: a late duplicate acknowledgement is harmless. */
  async acknowledge(key: string): Promise<void> {
    await this.commits.commit([{ type: "del", sublevel: this.outboxLevel(), key }]);
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
