import { SerialQueue } from "../core/serial-queue.js";
import { Value } from "@sinclair/typebox/value";
import { ErrorCodes, isVigilError, VigilError } from "../core/errors.js";
import type { Component } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import type { Database, Sublevel } from "../store/database.js";
import type { GroupCommit, WriteOp } from "../store/group-commit.js";
import { openEmbedding, type SealedEmbedding, sealEmbedding } from "./embedding-cipher.js";
import { embeddingAad, embeddingKey, type PersonRecord, PersonRecordSchema, personKey } from "./person-record.js";
import type { KeyringLoad } from "./watchlist-key-file.js";
import type { WatchlistKeyring } from "./watchlist-keyring.js";
import type { GalleryPerson } from "../inference/faces/watchlist-matcher.js";

export interface WatchlistStatus {
  readonly available: boolean;
  /** Why the watchlist is off (missing key, entries no key opens), when it is. */
  readonly reason: string | null;
  readonly code: string | null;
  readonly persons: number;
  readonly embeddings: number;
  readonly key_id: string | null;
}

interface Entry {
  readonly record: PersonRecord;
  readonly gallery: GalleryPerson;
}

const copy = (r: PersonRecord): PersonRecord => ({ ...r });

/**
 * Enrolled persons in the `watchlist` sublevel, their embeddings sealed with AES-256-GCM. All of
 * it is opened into memory at start, so matching a face never touches the disk or the cipher.
 * Without a usable key, or with entries no key in the ring opens, the store stays closed and says
 * why; nothing is matched and nothing can be enrolled, but the daemon runs on. Entries sealed
 * with a retired key are re-sealed with the current one at start, so a retired key can be dropped
 * after one restart. Writes are fsynced (group commit) and serialised.
 */
export class WatchlistStore implements Component {
  readonly name = "watchlist-store";
  private readonly entries = new Map<string, Entry>();
  private ring: WatchlistKeyring | undefined;
  private unavailable: { code: string; reason: string } | undefined = {
    code: ErrorCodes.WATCHLIST_UNAVAILABLE,
    reason: "the watchlist is not started",
  };
  private readonly writes = new SerialQueue();

  constructor(
    private readonly database: Database,
    private readonly commits: GroupCommit,
    private readonly loadKeyring: () => Promise<KeyringLoad>,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    this.entries.clear();
    const loaded = await this.loadKeyring();
    if (!loaded.ok) {
      this.close(loaded.code, `watchlist is off: ${loaded.reason}`);
      return;
    }
    this.ring = loaded.ring;
    try {
      const resealed = await this.openAll(loaded.ring);
      this.unavailable = undefined;
      // Per embedding model: persons enrolled with another model than the configured one are kept but never matched.
      const models: Record<string, number> = {};
      for (const { record } of this.entries.values()) models[record.model] = (models[record.model] ?? 0) + 1;
      this.log.info({ persons: this.entries.size, models, key_id: loaded.ring.current.id, resealed }, "watchlist open");
    } catch (err) {
      if (!isVigilError(err)) throw err;
      this.entries.clear();
      this.close(err.code, `watchlist is off: ${err.message}`);
    }
  }

  async stop(): Promise<void> {
    await this.writes.idle();
    this.entries.clear();
    this.ring = undefined;
    this.unavailable = { code: ErrorCodes.WATCHLIST_UNAVAILABLE, reason: "the watchlist is stopped" };
  }

  get status(): WatchlistStatus {
    let embeddings = 0;
    for (const e of this.entries.values()) embeddings += e.gallery.embeddings.length;
    return {
      available: this.unavailable === undefined,
      reason: this.unavailable?.reason ?? null,
      code: this.unavailable?.code ?? null,
      persons: this.entries.size,
      embeddings,
      key_id: this.ring?.current.id ?? null,
    };
  }

  /** Throws the reason the watchlist is off, if it is. */
  ensureAvailable(): void {
    if (this.unavailable)
      throw new VigilError(ErrorCodes.WATCHLIST_UNAVAILABLE, this.unavailable.reason, {
        details: { cause_code: this.unavailable.code },
      });
  }

  /** Oldest first, without embeddings. */
  list(): PersonRecord[] {
    this.ensureAvailable();
    return [...this.entries.values()]
      .map((e) => copy(e.record))
      .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
  }

  get(id: string): PersonRecord | undefined {
    const e = this.entries.get(id);
    return e && copy(e.record);
  }

  /** What the matcher compares against; empty while the watchlist is off. */
  gallery(): Iterable<GalleryPerson> {
    if (this.unavailable) return [];
    return [...this.entries.values()].map((e) => e.gallery);
  }

  /** The person and every embedding in one fsynced batch: all or nothing. */
  insert(record: PersonRecord, embeddings: readonly Float32Array[]): Promise<void> {
    return this.exclusive(async () => {
      const ring = this.openRing();
      if (this.entries.has(record.id))
        throw new VigilError(ErrorCodes.CONFLICT, `watchlist person ${record.id} already exists`);
      if (embeddings.length !== record.embeddings)
        throw new VigilError(
          ErrorCodes.INTERNAL,
          `record says ${record.embeddings} embeddings, got ${embeddings.length}`,
        );
      const level = this.level();
      const ops: WriteOp[] = [{ type: "put", sublevel: level, key: personKey(record.id), value: copy(record) }];
      embeddings.forEach((e, slot) => {
        ops.push({
          type: "put",
          sublevel: level,
          key: embeddingKey(record.id, slot),
          value: sealEmbedding(ring, e, embeddingAad(record.id, slot, record.model)),
        });
      });
      await this.commits.commit(ops);
      this.entries.set(record.id, {
        record: copy(record),
        gallery: galleryOf(
          record,
          embeddings.map((e) => Float32Array.from(e)),
        ),
      });
    });
  }

  /**
   * Deletes the person and every stored key under their id (found by scanning, not by trusting
   * the count), in one fsynced batch. Returns the deleted record; NOT_FOUND if there is none.
   */
  remove(id: string): Promise<PersonRecord> {
    return this.exclusive(async () => {
      this.openRing();
      const entry = this.entries.get(id);
      if (!entry) throw new VigilError(ErrorCodes.NOT_FOUND, `no watchlist person ${id}`);
      const level = this.level();
      const prefix = `e:${id}:`;
      const keys = await level.keys({ gte: prefix, lt: `${prefix}\xff` }).all();
      const ops: WriteOp[] = [
        { type: "del", sublevel: level, key: personKey(id) },
        ...keys.map((key) => ({ type: "del" as const, sublevel: level, key })),
      ];
      await this.commits.commit(ops);
      this.entries.delete(id);
      return copy(entry.record);
    });
  }

  private async openAll(ring: WatchlistKeyring): Promise<number> {
    const level = this.level();
    const records = new Map<string, PersonRecord>();
    const sealed = new Map<string, Array<{ slot: number; value: SealedEmbedding; key: string }>>();
    for await (const [key, value] of level.iterator()) {
      if (key.startsWith("p:")) {
        if (!Value.Check(PersonRecordSchema, value) || personKey(value.id) !== key)
          throw new VigilError(ErrorCodes.WATCHLIST_DECRYPT_FAILED, `watchlist record ${key} is malformed`);
        records.set(value.id, value);
      } else if (key.startsWith("e:")) {
        const [, id = "", slot = ""] = key.split(":");
        const list = sealed.get(id) ?? [];
        list.push({ slot: Number(slot), value: value as SealedEmbedding, key });
        sealed.set(id, list);
      }
    }
    const reseal: WriteOp[] = [];
    for (const record of records.values()) {
      const stored = (sealed.get(record.id) ?? []).sort((a, b) => a.slot - b.slot);
      const vectors = stored.map((s) => {
        const aad = embeddingAad(record.id, s.slot, record.model);
        const vector = openEmbedding(ring, s.value, aad);
        if (s.value.kid !== ring.current.id)
          reseal.push({ type: "put", sublevel: level, key: s.key, value: sealEmbedding(ring, vector, aad) });
        return vector;
      });
      if (vectors.length === 0) {
        this.log.warn({ person: record.id }, "watchlist person without embeddings ignored");
        continue;
      }
      this.entries.set(record.id, { record, gallery: galleryOf(record, vectors) });
    }
    if (reseal.length > 0) await this.commits.commit(reseal);
    return reseal.length;
  }

  private close(code: string, reason: string): void {
    this.unavailable = { code, reason };
    this.log.warn({ code }, reason);
  }

  private openRing(): WatchlistKeyring {
    this.ensureAvailable();
    if (!this.ring) throw new VigilError(ErrorCodes.WATCHLIST_UNAVAILABLE, "the watchlist has no key");
    return this.ring;
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.writes.run(work);
  }

  private level(): Sublevel {
    return this.database.sublevels.watchlist;
  }
}

function galleryOf(record: PersonRecord, embeddings: Float32Array[]): GalleryPerson {
  return { id: record.id, name: record.name, threshold: record.threshold, model: record.model, embeddings };
}
