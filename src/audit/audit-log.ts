import type { AuditEntry, AuditInput, AuditRecorder } from "../contract/audit.js";
import { ErrorCodes, VigilError } from "../core/errors.js";
import type { Component } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import type { Database, Sublevel } from "../store/database.js";
import type { Outbox } from "../store/outbox.js";
import { anonymiseSource } from "./anonymise.js";
import { canonicalJson } from "./canonical.js";
import { auditTrailOf, buildTargetIndex, targetIndexOp } from "./audit-target-index.js";
import { auditKey, seqFromAuditKey } from "../store/keys.js";
import {
  type AuditEntryBody,
  auditMac,
  genesisMac,
  isAuditEntry,
  verifiedTag,
  type VerifiedPoint,
  verifyEntries,
  type VerifyResult,
} from "./chain.js";

export interface AuditHead {
  readonly seq: number;
  readonly mac: string;
}

export interface AuditListQuery {
  afterSeq?: number;
  limit?: number;
  action?: string;
  actor?: string;
  /** Inclusive bounds on `ts`; anything `Date.parse` reads. */
  since?: string | Date;
  until?: string | Date;
}

export const LIST_LIMIT_MAX = 1000;
const LIST_LIMIT_DEFAULT = 100;
/** An audit line records an action, not its payload; anything bigger is a caller's mistake. */
const MAX_ENTRY_BYTES = 64 * 1024;

/**
 * The last stored entry's seq and mac: where the next entry links on, or genesis when empty. The
 * seq comes from the key, never the value, so a moved or damaged head entry is not overwritten.
 */
export async function readAuditHead(
  audit: Sublevel,
  genesis: string,
): Promise<AuditHead & { intact: boolean; entry?: AuditEntry }> {
  for await (const [key, value] of audit.iterator({ reverse: true })) {
    const seq = seqFromAuditKey(key);
    if (seq === undefined) continue;
    const entry = isAuditEntry(value) ? value : undefined;
    return entry?.seq === seq
      ? { seq, mac: entry.mac, intact: true, entry }
      : { seq, mac: entry?.mac ?? genesis, intact: false };
  }
  return { seq: 0, mac: genesis, intact: true };
}

/** In `meta`: the last entry a verify walked up to, tagged with the audit key (`verifiedTag`). */
export const VERIFIED_KEY = "audit!verified";

export interface VerifyOptions {
  /** Where the last verified point is kept; a successful walk moves it to its last entry. */
  readonly meta?: Sublevel;
  /** Start after the last verified point instead of at seq 1 (a full walk when there is none). */
  readonly fromCheckpoint?: boolean;
}

/** The last verified point, if it is there, carries a valid tag and its entry is still the one verified. */
async function verifiedPoint(
  audit: Sublevel,
  meta: Sublevel,
  key: Buffer,
): Promise<VerifiedPoint | "changed" | undefined> {
  const stored = (await meta.get(VERIFIED_KEY)) as { seq?: unknown; mac?: unknown; tag?: unknown } | undefined;
  if (!stored || typeof stored.seq !== "number" || typeof stored.mac !== "string" || typeof stored.tag !== "string")
    return undefined;
  const point = { seq: stored.seq, mac: stored.mac };
  // A forged or moved point (no audit key) is ignored: the walk starts at seq 1.
  if (stored.tag !== verifiedTag(key, point)) return undefined;
  const entry = await audit.get(auditKey(point.seq));
  if (!isAuditEntry(entry) || entry.mac !== point.mac || auditMac(key, entry.prev_mac, entry) !== entry.mac)
    return "changed";
  return point;
}

/**
 * Verifies the `audit` sublevel, from seq 1 or (`fromCheckpoint`) after the last verified point;
 * shared by the daemon and `vigil audit verify`. A walk from the checkpoint re-checks the
 * checkpoint's own entry and everything after it, not the entries before it.
 */
export async function verifyAuditStore(
  audit: Sublevel,
  key: Buffer,
  genesis: string,
  onProgress?: (checked: number) => void,
  opts: VerifyOptions = {},
): Promise<VerifyResult> {
  const point = opts.fromCheckpoint && opts.meta ? await verifiedPoint(audit, opts.meta, key) : undefined;
  if (point === "changed") {
    const p = (await opts.meta?.get(VERIFIED_KEY)) as { seq: number };
    return {
      ok: false,
      checked: 0,
      lastSeq: p.seq - 1,
      fromSeq: p.seq,
      firstBad: { seq: p.seq, reason: "mac_mismatch" },
    };
  }
  const from: VerifiedPoint | undefined = point;
  async function* stored() {
    for await (const [k, value] of audit.iterator(from ? { gt: auditKey(from.seq) } : {})) yield { key: k, value };
  }
  const result = await verifyEntries(stored(), key, genesis, onProgress, from);
  if (result.ok && opts.meta && result.lastSeq > 0) {
    const last = await audit.get(auditKey(result.lastSeq));
    if (isAuditEntry(last)) {
      const next = { seq: last.seq, mac: last.mac };
      await opts.meta.put(VERIFIED_KEY, { ...next, tag: verifiedTag(key, next), at: new Date().toISOString() });
    }
  }
  return result;
}

function invalid(message: string): VigilError {
  return new VigilError(ErrorCodes.VALIDATION, `audit input: ${message}`);
}

function timeBound(name: string, value: string | Date | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  if (Number.isNaN(ms)) throw invalid(`${name} is not a date`);
  return ms;
}

/**
 * The tamper-evident audit trail. Each entry is chained to the one before it and written in the
 * same fsynced batch as its `audit.entry` envelope, so the local chain and what central receives
 * cannot disagree, and `record()` resolves only once both are on disk.
 */
export class AuditLog implements Component, AuditRecorder {
  readonly name = "audit";
  private genesis = "";
  /** Head including entries built into a batch not yet synced; next entry links on this. */
  private building: AuditHead = { seq: 0, mac: "" };
  /** Head of what is on disk: the only head worth signing in a checkpoint. */
  private durable: AuditHead = { seq: 0, mac: "" };
  private started = false;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly database: Database,
    private readonly outbox: Outbox,
    private readonly key: Buffer,
    private readonly identity: { site: string; gateway: string },
    private readonly options: { anonymiseSources: boolean },
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async start(): Promise<void> {
    if (this.key.length === 0) throw new VigilError(ErrorCodes.SECRET_WEAK, "audit HMAC key is empty");
    this.genesis = genesisMac(this.key, this.identity.site, this.identity.gateway);
    const head = await readAuditHead(this.database.sublevels.audit, this.genesis);
    // Refusing to start would let anyone who can scribble on the disk switch off the daemon; the
    // break stays in the chain for `verify` to report, and new entries link on after it.
    if (!head.intact)
      this.log.error(
        { seq: head.seq },
        "last audit entry is malformed or misplaced; audit verify will report the break",
      );
    else if (head.entry && auditMac(this.key, head.entry.prev_mac, head.entry) !== head.entry.mac) {
      this.log.error(
        { seq: head.seq },
        "last audit entry does not verify with the configured audit_hmac_key (key replaced, or entry changed)",
      );
    }
    // A chain from before the target index gets it once, before anything records or exports.
    await buildTargetIndex(this.database, this.log);
    this.building = { seq: head.seq, mac: head.mac };
    this.durable = this.building;
    this.started = true;
    this.log.info({ seq: head.seq }, "audit chain open");
  }

  async stop(): Promise<void> {
    this.started = false;
    await Promise.allSettled([...this.inFlight]);
  }

  get head(): AuditHead {
    return this.durable;
  }

  async record(input: AuditInput): Promise<AuditEntry> {
    if (!this.started) throw new VigilError(ErrorCodes.SHUTTING_DOWN, "audit log is not running");
    const fields = this.normalise(input);
    const work = this.append(fields);
    this.inFlight.add(work);
    try {
      return await work;
    } finally {
      this.inFlight.delete(work);
    }
  }

  /** Walks the chain (from seq 1, or after the last verified point) and moves that point on success. */
  /** Every entry about one target (`incident:<id>`), in seq order, through the target index. */
  forTarget(target: string): Promise<AuditEntry[]> {
    return auditTrailOf(this.database, target);
  }

  verify(onProgress?: (checked: number) => void, opts: { fromCheckpoint?: boolean } = {}): Promise<VerifyResult> {
    return verifyAuditStore(this.database.sublevels.audit, this.key, this.genesis, onProgress, {
      meta: this.database.sublevels.meta,
      fromCheckpoint: opts.fromCheckpoint === true,
    });
  }

  /** Entries after `afterSeq`, in seq order, filters applied while walking; at most 1000. */
  async list(query: AuditListQuery = {}): Promise<AuditEntry[]> {
    const afterSeq = query.afterSeq ?? 0;
    if (!Number.isSafeInteger(afterSeq) || afterSeq < 0) throw invalid("afterSeq must be a non-negative integer");
    const limit = query.limit ?? LIST_LIMIT_DEFAULT;
    if (!Number.isSafeInteger(limit) || limit < 1) throw invalid("limit must be a positive integer");
    const since = timeBound("since", query.since);
    const until = timeBound("until", query.until);
    const out: AuditEntry[] = [];
    for await (const value of this.database.sublevels.audit.values({ gt: auditKey(afterSeq) })) {
      if (!isAuditEntry(value)) continue;
      if (query.action !== undefined && value.action !== query.action) continue;
      if (query.actor !== undefined && value.actor !== query.actor) continue;
      // Clocks step backwards (NTP, RTC battery), so ts bounds filter; they never end the walk.
      const ts = Date.parse(value.ts);
      if (since !== undefined && !(ts >= since)) continue;
      if (until !== undefined && !(ts <= until)) continue;
      out.push(value);
      if (out.length >= Math.min(limit, LIST_LIMIT_MAX)) break;
    }
    return out;
  }

  /** Checked before the batch, so building (in commit order) cannot fail half way. */
  private normalise(input: AuditInput): Omit<AuditEntryBody, "seq" | "ts" | "prev_mac"> {
    for (const field of ["actor", "action", "target"] as const) {
      if (typeof input[field] !== "string" || input[field].length === 0)
        throw invalid(`${field} must be a non-empty string`);
    }
    if (!["ok", "denied", "error"].includes(input.result)) throw invalid(`result must be ok, denied or error`);
    if (input.source !== undefined && typeof input.source !== "string") throw invalid("source must be a string");
    if (
      input.details !== undefined &&
      (typeof input.details !== "object" || input.details === null || Array.isArray(input.details))
    ) {
      throw invalid("details must be an object");
    }
    const source =
      input.source === undefined
        ? undefined
        : this.options.anonymiseSources
          ? anonymiseSource(input.source)
          : input.source;
    const fields = {
      actor: input.actor,
      ...(source === undefined ? {} : { source }),
      action: input.action,
      target: input.target,
      result: input.result,
      ...(input.details === undefined ? {} : { details: input.details }),
    };
    // What is MAC'd must be exactly what is stored and sent: a JSON round trip drops what JSON
    // cannot hold (undefined, functions) and detaches the entry from the caller's objects.
    const text = canonicalJson(fields);
    if (Buffer.byteLength(text, "utf8") > MAX_ENTRY_BYTES)
      throw new VigilError(ErrorCodes.PAYLOAD_TOO_LARGE, `audit entry exceeds ${MAX_ENTRY_BYTES} bytes`);
    return JSON.parse(text) as Omit<AuditEntryBody, "seq" | "ts" | "prev_mac">;
  }

  private async append(fields: Omit<AuditEntryBody, "seq" | "ts" | "prev_mac">): Promise<AuditEntry> {
    const audit = this.database.sublevels.audit;
    let before: AuditHead | undefined;
    const envelope = await this.outbox.appendDeferred<AuditEntry>("audit", "audit.entry", {
      // Runs in commit order: seq and link are taken here, so concurrent records chain in the
      // order they are written, and given back by abort() if the batch fails.
      build: () => {
        before = this.building;
        const body: AuditEntryBody = {
          seq: before.seq + 1,
          ts: this.now().toISOString(),
          ...fields,
          prev_mac: before.mac,
        };
        const entry: AuditEntry = { ...body, mac: auditMac(this.key, before.mac, body) };
        this.building = { seq: entry.seq, mac: entry.mac };
        return {
          data: entry,
          alongside: [
            { type: "put", sublevel: audit, key: auditKey(entry.seq), value: entry },
            targetIndexOp(this.database, entry),
          ],
        };
      },
      abort: () => {
        if (before) this.building = before;
      },
    });
    const entry = envelope.data;
    if (entry.seq > this.durable.seq) this.durable = { seq: entry.seq, mac: entry.mac };
    return entry;
  }
}
