import { statfs } from "node:fs/promises";
import { ErrorCodes, VigilError } from "../core/errors.js";
import type { Component } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import type { Database } from "./database.js";
import type { WriteGuard, WriteOp } from "./group-commit.js";

/** What a refused write is: the lowest priority goes first. Audit, logins and decisions are never refused here. */
export type LowPriorityWrite = "alert" | "incident";

export interface StoreSpaceOptions {
  /** Below this much free space new alerts are refused; below half of it, new incidents too. */
  readonly reserveBytes: number;
  readonly checkIntervalMs: number;
  /** Queues the `store.full` alert (bypassing the refusal: it is what the reserve is for). */
  readonly alert: (data: Record<string, unknown>) => Promise<unknown>;
  /** Reopening in place was found unsafe (a failed batch reached the disk after all): exit for systemd. */
  readonly onUnsafe: (reason: string) => void;
  readonly log: Logger;
  /** Free bytes on the data volume (statfs by default; tests of the policy pass their own). */
  readonly freeBytes?: () => Promise<number>;
}

type State = "ok" | "low" | "failed";

/** A failed batch's first put: read back after a reopen to tell whether the batch reached the disk. */
interface Witness {
  readonly sublevel: WriteOp["sublevel"];
  readonly key: string;
  readonly value: string;
}

export const RETRY_AFTER_S = 60;

function isIoError(err: unknown): boolean {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } } | undefined;
  const text = `${e?.code ?? ""} ${e?.message ?? ""} ${e?.cause?.code ?? ""} ${e?.cause?.message ?? ""}`;
  return /IO error|No space left|ENOSPC|LEVEL_IO_ERROR|EIO|EDQUOT/i.test(text);
}

/**
 * Keeps a full data volume from taking the box down. Every `checkIntervalMs` it reads the free
 * space (statfs). Below the reserve it refuses new low-priority writes with VIGIL_E_STORE_FULL
 * (alerts below the reserve, new incidents below half of it) so that the rest of the reserve stays
 * for the audit chain, logins and decisions, and queues one `store.full` alert. When LevelDB fails
 * a write with an I/O error (the volume filled anyway), the store is marked failed: batches are
 * refused at once, readiness and the watchdog say so, and once free space is back above the
 * reserve the store is reopened in place (LevelDB keeps its error until then). If a batch reported
 * as failed is found on disk after the reopen, the daemon's in-memory state (sequence numbers,
 * counts) no longer matches the disk: it exits for systemd to restart it from the disk instead.
 */
export class StoreSpace implements Component, WriteGuard {
  readonly name = "store-space";
  private state: State = "ok";
  private free: number | undefined;
  private failure: string | undefined;
  private readonly witnesses: Witness[] = [];
  private unverifiable = false;
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;
  private alerted = false;
  /** Successful reopens: the watchdog's sign that a failed store came back. */
  recoveries = 0;

  constructor(
    private readonly database: Database,
    private readonly options: StoreSpaceOptions,
  ) {}

  async start(): Promise<void> {
    await this.check();
    this.timer = setInterval(() => {
      this.checking ??= this.check()
        .catch((err: unknown) => this.options.log.error({ err }, "free-space check failed"))
        .finally(() => {
          this.checking = undefined;
        });
    }, this.options.checkIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.checking;
  }

  /** The store cannot write (a write failed with an I/O error and it was not reopened yet). */
  get cannotWrite(): boolean {
    return this.state === "failed";
  }

  /** Refuses a new low-priority write while the volume is below its reserve (throws VIGIL_E_STORE_FULL). */
  admit(kind: LowPriorityWrite): void {
    if (this.state === "ok") return;
    const reserve = this.options.reserveBytes;
    const free = this.free ?? 0;
    const refused = this.state === "failed" || (kind === "alert" ? free < reserve : free < reserve / 2);
    if (!refused) return;
    throw new VigilError(
      ErrorCodes.STORE_FULL,
      `data volume full: ${kind === "alert" ? "alerts and camera events" : "new incidents"} are refused (${mib(free)} MiB free, reserve ${mib(reserve)} MiB)`,
      { details: { retry_after_s: RETRY_AFTER_S } },
    );
  }

  /** For readiness and health: undefined when the store writes and the volume is above its reserve. */
  problem(): string | undefined {
    if (this.state === "failed")
      return `store cannot write (${this.failure ?? "I/O error"}); reopened once ${mib(this.options.reserveBytes)} MiB are free (${mib(this.free ?? 0)} MiB now)`;
    if (this.state === "low")
      return `data volume below its free-space reserve: ${mib(this.free ?? 0)} MiB free, reserve ${mib(this.options.reserveBytes)} MiB; new alerts${(this.free ?? 0) < this.options.reserveBytes / 2 ? " and incidents" : ""} refused`;
    return undefined;
  }

  blocked(): Error | undefined {
    if (this.state !== "failed") return undefined;
    return new VigilError(
      ErrorCodes.STORE_FULL,
      `store cannot write until free space is back: ${this.failure ?? "I/O error"}`,
      { details: { retry_after_s: RETRY_AFTER_S } },
    );
  }

  failed(err: unknown, ops: readonly WriteOp[]): void {
    if (!isIoError(err)) return;
    const put = ops.find((o): o is Extract<WriteOp, { type: "put" }> => o.type === "put");
    if (put) this.witnesses.push({ sublevel: put.sublevel, key: put.key, value: JSON.stringify(put.value) });
    else this.unverifiable = true;
    if (this.state === "failed") return;
    this.state = "failed";
    this.failure = (err as Error).message;
    this.options.log.error(
      { err, freeBytes: this.free },
      "store write failed: the data volume is full or failing; writes refused until free space is back",
    );
  }

  /** One look at the free space; reopens a failed store once there is room again. */
  async check(): Promise<void> {
    this.free = await (this.options.freeBytes ?? (() => freeBytesOf(this.database.location)))();
    const reserve = this.options.reserveBytes;
    if (this.state === "failed") {
      if (this.free < reserve) return;
      await this.recover();
      return;
    }
    const low = this.free < reserve;
    if (low && this.state === "ok") {
      this.state = "low";
      this.options.log.warn(
        { freeBytes: this.free, reserveBytes: reserve },
        "data volume below its free-space reserve: refusing new alerts, then incidents",
      );
    } else if (!low && this.state === "low") {
      this.state = "ok";
      this.alerted = false;
      this.options.log.info(
        { freeBytes: this.free, reserveBytes: reserve },
        "data volume above its free-space reserve again",
      );
    }
    if (this.state === "low" && !this.alerted) {
      this.alerted = true;
      await this.options
        .alert({
          free_bytes: this.free,
          reserve_bytes: reserve,
          refusing: this.free < reserve / 2 ? ["alerts", "incidents"] : ["alerts"],
        })
        .catch((err: unknown) => {
          this.alerted = false;
          this.options.log.error({ err }, "could not queue the store.full alert");
        });
    }
  }

  private async recover(): Promise<void> {
    this.options.log.warn({ freeBytes: this.free }, "free space is back: reopening the store");
    await this.database.reopen();
    for (const w of this.witnesses) {
      const now = await this.database.sublevels[sublevelName(this.database, w.sublevel)].get(w.key);
      if (now !== undefined && JSON.stringify(now) === w.value) {
        this.options.onUnsafe(
          `a write reported as failed is on disk (${w.key}): the daemon's state no longer matches its store`,
        );
        return;
      }
    }
    if (this.unverifiable) {
      this.options.onUnsafe("a failed write could not be checked after the reopen");
      return;
    }
    this.witnesses.length = 0;
    this.state = "ok";
    this.failure = undefined;
    this.alerted = false;
    this.recoveries += 1;
    this.options.log.info({ freeBytes: this.free }, "store reopened and writing again");
    await this.check();
  }
}

function sublevelName(database: Database, sub: WriteOp["sublevel"]): keyof Database["sublevels"] {
  // The witness holds the old handle; the reopened store has a new one of the same name.
  const prefix = (sub as unknown as { prefix?: string }).prefix ?? "";
  const name = prefix.replace(/^!|!$/g, "");
  if (name in database.sublevels) return name as keyof Database["sublevels"];
  throw new VigilError(ErrorCodes.INTERNAL, `unknown sublevel ${prefix}`);
}

const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);

async function freeBytesOf(path: string): Promise<number> {
  const s = await statfs(path);
  // What an unprivileged writer may use (bavail), as LevelDB running as the service user sees it.
  return Number(s.bavail) * Number(s.bsize);
}
