import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { AuditRecorder } from "../../contract/audit.js";
import type { Incident } from "../../contract/incident.js";
import type { Component } from "../../core/lifecycle.js";
import type { Logger } from "../../core/logger.js";
import { retentionPlan } from "../retention.js";
import type { ClipStore } from "./clip-store.js";

const SAFE_ID = /^[A-Za-z0-9-]{1,64}$/;
const ORPHAN_GRACE_MS = 3_600_000;

/**
 * Clips' own disk budget (`incidents.clips_max_bytes`): past it, the clips of the oldest finished
 * incidents go first, by the incidents' own retention rule (retention.ts), so clips of an open or
 * under-review incident are never deleted. Clip directories whose incident is gone (retention
 * deleted it) go after an hour. The incident keeps its clip list and hashes, as it does for a
 * deleted snapshot; the file answers 404. Each deletion is audited.
 */
export class ClipRetention implements Component {
  readonly name = "clip-retention";
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly deps: {
      dataDir: string;
      store: ClipStore;
      incidents: { all(): Promise<Incident[]> };
      audit: AuditRecorder;
      maxBytes: number;
      intervalMs: number;
      log: Logger;
      now?: () => number;
    },
  ) {}

  async start(): Promise<void> {
    this.timer = setInterval(() => {
      this.running ??= this.sweep()
        .catch((err: unknown) => this.deps.log.error({ err }, "clip retention sweep failed"))
        .finally(() => (this.running = undefined));
    }, this.deps.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One sweep now: the incidents whose clips were deleted for the budget, and the orphans. */
  async sweep(): Promise<{ byBudget: string[]; orphans: string[] }> {
    const now = (this.deps.now ?? Date.now)();
    const incidents = await this.deps.incidents.all();
    const known = new Set(incidents.map((i) => i.id));
    const orphans: string[] = [];
    const root = join(this.deps.dataDir, "clips");
    for (const name of await readdir(root).catch(() => [] as string[])) {
      if (!SAFE_ID.test(name) || known.has(name)) continue;
      const s = await stat(join(root, name)).catch(() => undefined);
      if (s?.isDirectory() && now - s.mtimeMs > ORPHAN_GRACE_MS) {
        await this.deps.store.remove(name);
        orphans.push(name);
      }
    }
    let byBudget: string[] = [];
    if (this.deps.maxBytes > 0) {
      const items = [];
      for (const i of incidents) {
        if (!i.clips?.length) continue;
        let bytes = 0;
        for (const c of i.clips) bytes += (await this.deps.store.size(c.file)) ?? 0;
        if (bytes > 0)
          items.push({
            id: i.id,
            status: i.status,
            lastChange: Date.parse(i.history.at(-1)?.at ?? i.last_seen_at),
            bytes,
          });
      }
      byBudget = [...retentionPlan(items, { maxAgeDays: 0, maxBytes: this.deps.maxBytes }, now).byBudget];
      for (const id of byBudget) await this.deps.store.remove(id);
    }
    if (byBudget.length + orphans.length > 0) {
      await this.deps.audit.record({
        actor: "system",
        action: "retention.clips_deleted",
        target: "clips",
        result: "ok",
        details: { by_budget: byBudget.slice(0, 200), orphans: orphans.slice(0, 200), max_bytes: this.deps.maxBytes },
      });
      this.deps.log.info({ byBudget: byBudget.length, orphans: orphans.length }, "clip retention deleted clips");
    }
    return { byBudget, orphans };
  }
}
