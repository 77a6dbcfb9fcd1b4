/**
 * Ring segments and the pure rules over them: what a segment's name says, which segments the
 * ring lets go, and which ones (and which gaps) make up a clip's window. No I/O, property-tested.
 *
 * A segment is written by the camera's ffmpeg as `<run>_<epoch seconds>.ts` (the segment muxer's
 * strftime names it when it opens it); `run` is new for every ffmpeg start, so a reconnect is
 * always visible as a change of run, however short it was.
 */
export interface Segment {
  readonly name: string;
  readonly run: string;
  /** Wall clock when ffmpeg opened it (second resolution). */
  readonly startMs: number;
  /** Its last write (mtime): the end of what it holds. */
  readonly endMs: number;
  readonly bytes: number;
}

const NAME = /^([a-z0-9]{1,16})_(\d{9,11})\.ts$/;

/** A run id: fresh per ffmpeg start, safe in a file name and in ffmpeg's strftime pattern. */
export function isRunId(run: string): boolean {
  return /^[a-z0-9]{1,16}$/.test(run);
}

export function segmentPattern(run: string): string {
  if (!isRunId(run)) throw new RangeError(`bad run id ${run}`);
  return `${run}_%s.ts`;
}

/** The run and start of a segment file name, or undefined for anything that is not one of ours. */
export function parseSegmentName(name: string): { run: string; startMs: number } | undefined {
  const m = NAME.exec(name);
  if (!m?.[1] || !m[2]) return undefined;
  return { run: m[1], startMs: Number(m[2]) * 1000 };
}

export interface RingBounds {
  /** Unclaimed segments that ended longer ago than this go. */
  readonly keepMs: number;
  /** The ring's hard ceiling: past it the oldest go, claimed or not (a clip then records a gap). */
  readonly maxBytes: number;
}

/**
 * The segments to delete, oldest first. The newest segment is never deleted: ffmpeg is writing it.
 * `claimed` segments (inside a clip window still to be assembled) outlive `keepMs` but not `maxBytes`.
 */
export function segmentsToDelete(
  sorted: readonly Segment[],
  bounds: RingBounds,
  now: number,
  claimed: (s: Segment) => boolean,
): Segment[] {
  if (sorted.length <= 1) return [];
  const candidates = sorted.slice(0, -1);
  const out = new Set<Segment>();
  for (const s of candidates) if (s.endMs < now - bounds.keepMs && !claimed(s)) out.add(s);
  let bytes = sorted.reduce((sum, s) => sum + (out.has(s) ? 0 : s.bytes), 0);
  for (const s of candidates) {
    if (bytes <= bounds.maxBytes) break;
    if (out.has(s)) continue;
    out.add(s);
    bytes -= s.bytes;
  }
  return candidates.filter((s) => out.has(s));
}

export interface TimeSpan {
  readonly startMs: number;
  readonly endMs: number;
}

/** Whether a segment holds any of the span. */
export function overlaps(s: TimeSpan, w: TimeSpan): boolean {
  return s.endMs > w.startMs && s.startMs < w.endMs;
}

/**
 * The segments of a window, in order, and the stretches of it with no video: before the first
 * segment, between two runs (a reconnect, even a short one) or wherever consecutive segments of
 * one run are further apart than `toleranceMs` (a segment deleted or unreadable), after the last.
 */
export function segmentsForWindow(
  sorted: readonly Segment[],
  window: TimeSpan,
  toleranceMs: number,
): { segments: Segment[]; gaps: TimeSpan[] } {
  const segments = sorted.filter((s) => overlaps(s, window));
  const gaps: TimeSpan[] = [];
  let cursor = window.startMs;
  let previous: Segment | undefined;
  for (const s of segments) {
    const newRun = previous !== undefined && previous.run !== s.run;
    const start = Math.max(s.startMs, window.startMs);
    if (start > cursor && (newRun || start - cursor > toleranceMs)) gaps.push({ startMs: cursor, endMs: start });
    cursor = Math.max(cursor, Math.min(s.endMs, window.endMs));
    previous = s;
  }
  if (window.endMs - cursor > toleranceMs) gaps.push({ startMs: cursor, endMs: window.endMs });
  return { segments, gaps };
}

/** Spans sorted and merged where they touch or overlap. Pure. */
export function mergeSpans(spans: readonly TimeSpan[]): TimeSpan[] {
  const sorted = [...spans].filter((s) => s.endMs > s.startMs).sort((a, b) => a.startMs - b.startMs);
  const out: TimeSpan[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.startMs <= last.endMs)
      out[out.length - 1] = { startMs: last.startMs, endMs: Math.max(last.endMs, s.endMs) };
    else out.push({ startMs: s.startMs, endMs: s.endMs });
  }
  return out;
}
