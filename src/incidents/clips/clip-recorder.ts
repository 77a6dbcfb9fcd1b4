import { join } from "node:path";
import type { VigilEvents } from "../../contract/events.js";
import type { ClipRef, Incident } from "../../contract/incident.js";
import type { EventBus } from "../../core/event-bus.js";
import type { Component } from "../../core/lifecycle.js";
import type { Logger } from "../../core/logger.js";
import type { RecordingRing } from "../../ingest/recording/recording-ring.js";
import { mergeSpans, overlaps, type Segment, segmentsForWindow } from "../../ingest/recording/segments.js";
import type { IncidentService } from "../incident-service.js";
import { assembleClip } from "./clip-assembler.js";
import { type ClipWindow, allWindowsReady, readyWindows } from "./clip-plan.js";
import type { CameraClipSettings } from "./clip-settings.js";
import type { ClipStore } from "./clip-store.js";
import type { PendingClipFiles, PendingClips } from "./pending-clips.js";

export interface ClipRecorderOptions {
  readonly bus: EventBus<VigilEvents>;
  readonly incidents: Pick<IncidentService, "get" | "update">;
  readonly ring: RecordingRing;
  readonly store: ClipStore;
  readonly pending: PendingClipFiles;
  readonly settings: (cameraId: string) => CameraClipSettings | undefined;
  /** How long after a window's end its segment is surely closed: a segment plus slack. */
  readonly settleMs: number;
  readonly tickMs: number;
  readonly log: Logger;
  /** A clip's window is cut into the ring's segments; consecutive segments further apart are a gap. */
  readonly gapToleranceMs: number;
  readonly now?: () => number;
}

/**
 * Cuts every recording camera's incidents into clips: it follows incidents on the bus, keeps
 * their windows' segments claimed in the ring, assembles each window once it is past
 * (clip-plan.ts), one at a time, and records the clip on the incident (`incident.updated`).
 */
export class ClipRecorder implements Component {
  readonly name = "clip-recorder";
  private readonly tracked = new Map<string, PendingClips>();
  private unsubscribe: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private working: Promise<void> = Promise.resolve();
  private busy = false;
  private stopped = true;

  constructor(private readonly o: ClipRecorderOptions) {}

  private get now(): number {
    return (this.o.now ?? Date.now)();
  }

  async start(): Promise<void> {
    this.stopped = false;
    const swept = await this.o.store.sweepTemporaries();
    if (swept.length > 0)
      this.o.log.warn({ files: swept }, "removed half-made clips left by a crash; they are cut again");
    for (const p of await this.o.pending.all()) this.tracked.set(p.incidentId, p);
    this.o.ring.claimsFrom((cameraId, s) => this.claimed(cameraId, s));
    this.unsubscribe = this.o.bus.on("incident.changed", ({ incident }) => this.follow(incident));
    this.timer = setInterval(() => void this.tick(), this.o.tickMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    clearInterval(this.timer);
    await this.working;
  }

  /** Incidents whose clips are still to come (tests, soak). */
  get waiting(): number {
    return this.tracked.size;
  }

  /** Assembles whatever is ready now; resolves when done (tests call it instead of waiting a tick). */
  tick(): Promise<void> {
    if (this.busy || this.stopped) return this.working;
    this.busy = true;
    this.working = this.cutReady()
      .catch((err: unknown) => this.o.log.error({ err }, "clip assembly pass failed"))
      .finally(() => (this.busy = false));
    return this.working;
  }

  private follow(incident: Incident): void {
    const settings = this.o.settings(incident.camera_id);
    if (!settings?.enabled) return;
    const previous = this.tracked.get(incident.id);
    const done = incident.clips?.length ?? 0;
    if (!previous && (done > 0 || incident.version > 1)) return; // finished, or from before clips were on
    const next: PendingClips = {
      incidentId: incident.id,
      cameraId: incident.camera_id,
      startedMs: Date.parse(incident.started_at),
      lastSeenMs: Date.parse(incident.last_seen_at),
      ended: incident.ended_at !== null,
      done: Math.max(done, previous?.done ?? 0),
    };
    this.tracked.set(incident.id, next);
    this.o.log.debug(
      { incident: incident.id, version: incident.version, ended: next.ended, done: next.done },
      "following incident for clips",
    );
    if (!previous || previous.ended !== next.ended)
      void this.o.pending
        .save(next)
        .catch((err: unknown) => this.o.log.warn({ err, incident: incident.id }, "could not note a pending clip"));
  }

  private claimed(cameraId: string, s: Segment): boolean {
    for (const p of this.tracked.values()) {
      const settings = p.cameraId === cameraId ? this.o.settings(cameraId) : undefined;
      if (!settings) continue;
      const span = {
        startMs: p.startedMs - settings.preRollMs,
        endMs: p.ended ? p.lastSeenMs + settings.postRollMs : Infinity,
      };
      if (overlaps(s, span)) return true;
    }
    return false;
  }

  private async cutReady(): Promise<void> {
    for (const p of [...this.tracked.values()]) {
      if (this.stopped) return;
      const settings = this.o.settings(p.cameraId);
      if (!settings?.enabled) {
        this.tracked.delete(p.incidentId);
        await this.o.pending.remove(p.incidentId);
        continue;
      }
      const windows = readyWindows(p, settings, this.now, this.o.settleMs);
      this.o.log.debug({ incident: p.incidentId, ready: windows.length, done: p.done, ended: p.ended }, "clip windows");
      for (const w of windows.slice(p.done)) {
        if (this.stopped) return;
        await this.cut(p, w);
      }
      // Judged on what is known now: the incident may have ended while its windows were being cut.
      const current = this.tracked.get(p.incidentId);
      if (
        current &&
        allWindowsReady(current, settings, this.now, this.o.settleMs) &&
        current.done >= readyWindows(current, settings, this.now, this.o.settleMs).length
      ) {
        this.tracked.delete(p.incidentId);
        await this.o.pending.remove(p.incidentId);
      }
    }
  }

  private async cut(p: PendingClips, w: ClipWindow): Promise<void> {
    const started = this.now;
    const ref = await this.assemble(p, w).catch((err: unknown) => {
      this.o.log.warn(
        { err, incident: p.incidentId, clip: w.n },
        "clip not assembled: the incident goes on without it",
      );
      return undefined;
    });
    const incident = ref
      ? await this.o.incidents.update(p.incidentId, {
          lastSeenAt: p.lastSeenMs,
          clips: [...((await this.o.incidents.get(p.incidentId))?.clips ?? []), ref],
        })
      : undefined;
    const done = { ...(this.tracked.get(p.incidentId) ?? p), done: w.n + 1 };
    this.tracked.set(p.incidentId, done);
    await this.o.pending.save(done);
    if (ref)
      this.o.log.info(
        {
          incident: p.incidentId,
          clip: w.n,
          bytes: ref.bytes,
          gaps: ref.gaps.length,
          ms: this.now - started,
          recorded: incident !== undefined,
        },
        "clip ready",
      );
  }

  private async assemble(p: PendingClips, w: ClipWindow): Promise<ClipRef | undefined> {
    const all = await this.o.ring.segments(p.cameraId);
    const { segments, gaps } = segmentsForWindow(all, w, this.o.gapToleranceMs);
    if (segments.length === 0) {
      this.o.log.warn(
        { incident: p.incidentId, clip: w.n },
        "no recording in the clip's window (ring stopped or camera down)",
      );
      return undefined;
    }
    const dir = this.o.ring.dir(p.cameraId);
    const { tmp, final, file } = await this.o.store.temporary(p.incidentId, w.n);
    const made = await assembleClip(
      segments.map((segment) => ({ segment, path: join(dir, segment.name) })),
      tmp,
    );
    const { sha256, bytes } = await this.o.store.commit(tmp, final);
    const kept = segments.filter((s) => !made.unreadable.includes(s));
    // An unreadable segment is a hole however short: its own span is a gap.
    const clipped = made.unreadable.map((u) => ({
      startMs: Math.max(u.startMs, w.startMs),
      endMs: Math.min(u.endMs, w.endMs),
    }));
    const allGaps = mergeSpans([...segmentsForWindow(kept, w, this.o.gapToleranceMs).gaps, ...gaps, ...clipped]);
    const first = kept[0] ?? segments[0];
    const last = kept[kept.length - 1] ?? segments[segments.length - 1];
    const iso = (ms: number): string => new Date(ms).toISOString();
    return {
      file,
      // Whole segments are copied (a cut needs a key frame): the file may start before the window.
      start: iso(first?.startMs ?? w.startMs),
      end: iso(last?.endMs ?? w.endMs),
      duration_s: Math.round(made.durationS * 100) / 100,
      sha256,
      bytes,
      gaps: allGaps.map((g) => ({ start: iso(g.startMs), end: iso(g.endMs) })),
    };
  }
}
