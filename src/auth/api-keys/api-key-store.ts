import { SerialQueue } from "../../core/serial-queue.js";
import { Value } from "@sinclair/typebox/value";
import { ErrorCodes, VigilError } from "../../core/errors.js";
import type { Component } from "../../core/lifecycle.js";
import type { Logger } from "../../core/logger.js";
import type { Database, Sublevel } from "../../store/database.js";
import type { GroupCommit } from "../../store/group-commit.js";
import { type ApiKeyRecord, ApiKeyRecordSchema } from "./api-key-record.js";
import { SourceAllowlist } from "./source-allowlist.js";

/** A key as the verifier needs it: the record plus what is costly to derive per request. */
export interface IndexedKey {
  readonly record: Readonly<ApiKeyRecord>;
  readonly digest: Buffer;
  readonly expiresAtMs: number | null;
  readonly sources: SourceAllowlist;
}

/** The part of the store the verifier reads and counts usage through. */
export interface ApiKeyIndex {
  lookup(keyId: string): IndexedKey | undefined;
  noteUse(keyId: string, atMs: number, from: string | undefined): void;
}

export interface ApiKeyStoreOptions {
  /** How often usage counters are written back; 0 leaves it to stop() and flushUsage(). */
  usageFlushMs?: number;
}

interface Entry extends IndexedKey {
  record: ApiKeyRecord;
  usageDirty: boolean;
}

function indexed(record: ApiKeyRecord): Entry {
  return {
    record,
    digest: Buffer.from(record.digest, "hex"),
    expiresAtMs: record.expires_at === null ? null : Date.parse(record.expires_at),
    sources: SourceAllowlist.from(record.allowed_cidrs),
    usageDirty: false,
  };
}

const copy = (record: ApiKeyRecord): ApiKeyRecord => structuredClone(record);

/**
 * API key records in the `api_keys` sublevel, all held in memory from start so that verifying a
 * request never touches the disk. Creation and revocation are fsynced (group commit) before they
 * resolve. Usage counters change on every request, so they are kept in memory and written back
 * every `usageFlushMs` and at stop: a crash loses at most that much usage, never a revocation.
 * Writes are serialised so a usage flush can never write back a record a revocation has replaced.
 */
export class ApiKeyStore implements Component, ApiKeyIndex {
  readonly name = "api-key-store";
  private readonly entries = new Map<string, Entry>();
  private readonly writes = new SerialQueue();
  private timer: NodeJS.Timeout | undefined;
  private readonly usageFlushMs: number;

  constructor(
    private readonly database: Database,
    private readonly commits: GroupCommit,
    private readonly log: Logger,
    options: ApiKeyStoreOptions = {},
  ) {
    this.usageFlushMs = options.usageFlushMs ?? 30_000;
  }

  async start(): Promise<void> {
    this.entries.clear();
    for await (const [key, value] of this.level().iterator()) {
      // A record that does not read back is left out, which refuses its key: the safe direction.
      if (!Value.Check(ApiKeyRecordSchema, value) || value.key_id !== key) {
        this.log.error({ key_id: key }, "unreadable api key record ignored; that key is refused");
        continue;
      }
      this.entries.set(key, indexed(value));
    }
    if (this.usageFlushMs > 0) {
      this.timer = setInterval(() => {
        // A failed flush leaves the counters dirty for the next one.
        this.flushUsage().catch((err: unknown) => this.log.warn({ err }, "api key usage flush failed"));
      }, this.usageFlushMs);
      this.timer.unref();
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flushUsage();
  }

  get size(): number {
    return this.entries.size;
  }

  lookup(keyId: string): IndexedKey | undefined {
    return this.entries.get(keyId);
  }

  get(keyId: string): ApiKeyRecord | undefined {
    const entry = this.entries.get(keyId);
    return entry && copy(entry.record);
  }

  /** Every key (of one camera, if given), oldest first. */
  list(cameraId?: string): ApiKeyRecord[] {
    return [...this.entries.values()]
      .map((e) => e.record)
      .filter((r) => cameraId === undefined || r.camera_id === cameraId)
      .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.key_id.localeCompare(b.key_id))
      .map(copy);
  }

  /** Resolves once the new key is on disk; a key id already taken is a CONFLICT. */
  insert(record: ApiKeyRecord): Promise<void> {
    return this.exclusive(async () => {
      if (this.entries.has(record.key_id))
        throw new VigilError(ErrorCodes.CONFLICT, `api key ${record.key_id} already exists`);
      const stored = copy(record);
      await this.commits.commit([{ type: "put", sublevel: this.level(), key: stored.key_id, value: stored }]);
      this.entries.set(stored.key_id, indexed(stored));
    });
  }

  /** Takes back a key that was never handed out (its creation could not be audited). */
  remove(keyId: string): Promise<void> {
    return this.exclusive(async () => {
      await this.commits.commit([{ type: "del", sublevel: this.level(), key: keyId }]);
      this.entries.delete(keyId);
    });
  }

  /**
   * Marks the key revoked, durably. Revoking a revoked key changes nothing and says so
   * (`changed: false`); an unknown key id is NOT_FOUND.
   */
  revoke(keyId: string, by: string, atMs: number): Promise<{ record: ApiKeyRecord; changed: boolean }> {
    return this.exclusive(async () => {
      const entry = this.entries.get(keyId);
      if (!entry) throw new VigilError(ErrorCodes.NOT_FOUND, `no api key ${keyId}`);
      if (entry.record.status === "revoked") return { record: copy(entry.record), changed: false };
      const next: ApiKeyRecord = {
        ...copy(entry.record),
        status: "revoked",
        revoked_at: new Date(atMs).toISOString(),
        revoked_by: by,
      };
      await this.commits.commit([{ type: "put", sublevel: this.level(), key: keyId, value: next }]);
      // Usage counted while the write was in flight is kept (and still dirty, if it is newer).
      next.usage_count = entry.record.usage_count;
      next.last_used_at = entry.record.last_used_at;
      next.last_used_from = entry.record.last_used_from;
      this.entries.set(keyId, { ...indexed(next), usageDirty: entry.usageDirty });
      return { record: copy(next), changed: true };
    });
  }

  /** Counts one accepted request, in memory only. */
  noteUse(keyId: string, atMs: number, from: string | undefined): void {
    const entry = this.entries.get(keyId);
    if (!entry) return;
    entry.record.usage_count += 1;
    entry.record.last_used_at = new Date(atMs).toISOString();
    entry.record.last_used_from = from ?? null;
    entry.usageDirty = true;
  }

  /** Writes back the records whose usage changed since the last flush; returns how many. */
  flushUsage(): Promise<number> {
    return this.exclusive(async () => {
      const dirty = [...this.entries.values()].filter((e) => e.usageDirty);
      if (dirty.length === 0 || !this.database.isOpen) return 0;
      for (const e of dirty) e.usageDirty = false;
      try {
        const level = this.level();
        await this.commits.commit(
          dirty.map((e) => ({ type: "put" as const, sublevel: level, key: e.record.key_id, value: copy(e.record) })),
        );
      } catch (err) {
        for (const e of dirty) e.usageDirty = true;
        throw err;
      }
      return dirty.length;
    });
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.writes.run(work);
  }

  private level(): Sublevel {
    return this.database.sublevels.api_keys;
  }
}
