import type { TimeSpan } from "../../ingest/recording/segments.js";

/** A camera's clip settings, the site-wide defaults applied. */
export interface ClipSettings {
  readonly preRollMs: number;
  readonly postRollMs: number;
  readonly maxClipMs: number;
}

/** What the planner needs of an incident. */
export interface IncidentSpan {
  readonly startedMs: number;
  readonly lastSeenMs: number;
  readonly ended: boolean;
}

export interface ClipWindow extends TimeSpan {
  /** 0-based: the clip's place among the incident's consecutive clips. */
  readonly n: number;
}

/**
 * The clip windows of an incident that can be assembled at `now`: from `started - pre_roll` to
 * `last_seen + post_roll`, cut into consecutive windows of at most `max_clip`. A window is ready
 * once its end is `settleMs` in the past (the segment holding it is closed). While the incident
 * is open only full-length windows are ready, so a long incident gets its clips as it goes. Pure.
 */
export function readyWindows(span: IncidentSpan, s: ClipSettings, now: number, settleMs: number): ClipWindow[] {
  const start = span.startedMs - s.preRollMs;
  const end = span.ended ? Math.max(start, span.lastSeenMs + s.postRollMs) : undefined;
  const out: ClipWindow[] = [];
  for (let n = 0; ; n += 1) {
    const wStart = start + n * s.maxClipMs;
    const fullEnd = wStart + s.maxClipMs;
    if (end !== undefined && wStart >= end && n > 0) break;
    const wEnd = end === undefined ? fullEnd : Math.min(fullEnd, end);
    if (wEnd <= wStart || wEnd + settleMs > now) break;
    out.push({ n, startMs: wStart, endMs: wEnd });
    if (end !== undefined && wEnd >= end) break;
  }
  return out;
}

/** Whether every window of the incident is ready (nothing more will ever be cut). */
export function allWindowsReady(span: IncidentSpan, s: ClipSettings, now: number, settleMs: number): boolean {
  return span.ended && span.lastSeenMs + s.postRollMs + settleMs <= now;
}
