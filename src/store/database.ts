import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Level } from "level";
import type { Component } from "../core/lifecycle.js";
import { ErrorCodes, VigilError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";

export type Db = Level<string, unknown>;
export type Sublevel = ReturnType<typeof makeSublevel>;

function makeSublevel(db: Db, name: string) {
  return db.sublevel<string, unknown>(name, { valueEncoding: "json" });
}
export const SUBLEVEL_NAMES = [
  "meta",
  "incidents",
  "outbox",
  "audit",
  "commands",
  "users",
  "sessions",
  "revoked",
  "lockout",
  "keyring",
  "api_keys",
  "watchlist",
  "cameras",
  "kpi_weekly",
  "incident_idx",
  "kpi_daily",
  "audit_idx",
] as const;
export type Sublevels = Readonly<Record<(typeof SUBLEVEL_NAMES)[number], Sublevel>>;

function isLocked(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } } | undefined;
  return e?.code === "LEVEL_LOCKED" || e?.cause?.code === "LEVEL_LOCKED";
}

/**
 * The LevelDB store under `<data_dir>/db`. A restarting daemon can find the lock still held for a
 * moment by its predecessor (systemd restarts fast), so opening retries on LEVEL_LOCKED.
 */
export class Database implements Component {
  readonly name = "store";
  private db: Db | undefined;
  private subs: Sublevels | undefined;

  constructor(
    private readonly dataDir: string,
    private readonly log: Logger,
    private readonly lockRetry = { attempts: 20, delayMs: 250 },
  ) {}

  get isOpen(): boolean {
    return this.db?.status === "open";
  }

  get level(): Db {
    if (!this.db || this.db.status !== "open") throw new VigilError(ErrorCodes.STORE_UNAVAILABLE, "store is not open");
    return this.db;
  }

  get sublevels(): Sublevels {
    if (!this.subs) throw new VigilError(ErrorCodes.STORE_UNAVAILABLE, "store is not open");
    return this.subs;
  }

  get location(): string {
    return join(this.dataDir, "db");
  }

  async start(): Promise<void> {
    await mkdir(this.location, { recursive: true, mode: 0o700 });
    const db = new Level<string, unknown>(this.location, { valueEncoding: "json" });
    for (let attempt = 1; ; attempt++) {
      try {
        await db.open();
        break;
      } catch (err) {
        if (!isLocked(err) || attempt >= this.lockRetry.attempts) {
          const code = isLocked(err) ? ErrorCodes.STORE_LOCKED : ErrorCodes.STORE_UNAVAILABLE;
          throw new VigilError(code, `cannot open store at ${this.location}: ${(err as Error).message}`, {
            cause: err,
          });
        }
        if (attempt === 1) this.log.warn({ location: this.location }, "store is locked by another process; retrying");
        await sleep(this.lockRetry.delayMs);
      }
    }
    this.db = db;
    this.subs = Object.fromEntries(SUBLEVEL_NAMES.map((name) => [name, makeSublevel(db, name)])) as Record<
      (typeof SUBLEVEL_NAMES)[number],
      Sublevel
    >;
    this.log.info({ location: this.location }, "store open");
  }

  /**
   * Closes and opens the store again in place: LevelDB keeps a write error (a full disk) until it
   * is reopened. Sublevels are fetched per use everywhere, so users pick up the new handle.
   */
  async reopen(): Promise<void> {
    const db = this.db;
    this.db = undefined;
    this.subs = undefined;
    if (db && db.status !== "closed")
      await db.close().catch((err: unknown) => this.log.warn({ err }, "closing the failed store"));
    await this.start();
  }

  async stop(): Promise<void> {
    const db = this.db;
    this.db = undefined;
    this.subs = undefined;
    if (db && db.status !== "closed") await db.close();
  }
}
