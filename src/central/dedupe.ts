/**
 * The consumer's dedupe and gap state for one (site, gateway, stream), pure and JSON-serialisable.
 *
 * A stream's seq counts from 1 with no gaps, and delivery is at-least-once and in order, so the
 * state needs no set of every id ever seen: `hwm` is the contiguous high-water mark (every seq up
 * to it was delivered, or declared lost), and `above` holds the few (seq, id) pairs delivered past
 * a hole. A hole that stays open longer than the configured wait is a gap: loss or a reset, and
 * both are reported loudly, then skipped so the state stays bounded. `recent` keeps the last few
 * ids at or below hwm so that a repeat with a different id (a reset, or a forgery) is told apart
 * from a plain duplicate.
 */

export interface StreamState {
  readonly hwm: number;
  /** Delivered seqs above hwm + 1, ascending, at most `maxAbove`. */
  readonly above: ReadonlyArray<readonly [number, string]>;
  /** The last `recent` delivered (seq, id) at or below hwm, ascending. */
  readonly recent: ReadonlyArray<readonly [number, string]>;
  /** Id of seq 1 of this epoch: a seq 1 with another id is a reset of the gateway's outbox. */
  readonly firstId?: string;
  /** When (ms) the hole at hwm + 1 was first seen with something above it. */
  readonly holeSince?: number;
  /** Holes reported and skipped, newest last, at most `maxSkipped`: a late arrival in one is delivered, and said so. */
  readonly skipped: ReadonlyArray<readonly [number, number]>;
  /** Counts since this state was created. */
  readonly delivered: number;
  readonly duplicates: number;
  readonly lost: number;
  readonly resets: number;
}

export interface DedupeLimits {
  /** Most seqs held above a hole before the hole is declared a gap regardless of time. */
  readonly maxAbove: number;
  readonly recent: number;
  readonly maxSkipped: number;
}

export const DEFAULT_LIMITS: DedupeLimits = { maxAbove: 1024, recent: 64, maxSkipped: 16 };

export type Verdict =
  /** New: hand it to the application. */
  | "deliver"
  /** Seen before (same id): acknowledge and drop. */
  | "duplicate"
  /** Same seq as a delivered message, different id: neither delivered nor silently dropped. */
  | "conflict";

export type StreamEvent =
  | { readonly kind: "gap"; readonly from: number; readonly to: number; readonly why: "timeout" | "overflow" }
  | { readonly kind: "reset"; readonly previousHwm: number }
  | { readonly kind: "late"; readonly seq: number }
  | { readonly kind: "conflict"; readonly seq: number; readonly id: string; readonly knownId: string };

export interface Admission {
  readonly state: StreamState;
  readonly verdict: Verdict;
  readonly events: readonly StreamEvent[];
}

export function emptyState(): StreamState {
  return { hwm: 0, above: [], recent: [], skipped: [], delivered: 0, duplicates: 0, lost: 0, resets: 0 };
}

function remember(
  recent: ReadonlyArray<readonly [number, string]>,
  items: ReadonlyArray<readonly [number, string]>,
  limit: number,
): Array<readonly [number, string]> {
  const all = [...recent, ...items];
  return all.slice(Math.max(0, all.length - limit));
}

/** Moves hwm over every seq in `above` that is now contiguous with it. */
function closeUp(state: StreamState, now: number, limits: DedupeLimits): StreamState {
  let hwm = state.hwm;
  let i = 0;
  while (i < state.above.length && state.above[i]?.[0] === hwm + 1) {
    hwm++;
    i++;
  }
  if (i === 0) return state;
  const above = state.above.slice(i);
  const { holeSince: _old, ...rest } = state;
  return {
    ...rest,
    hwm,
    above,
    recent: remember(state.recent, state.above.slice(0, i), limits.recent),
    ...(above.length > 0 ? { holeSince: now } : {}),
  };
}

/** Declares the hole at hwm + 1 lost: hwm jumps to just below the first held seq, then closes up. */
function skipHole(
  state: StreamState,
  now: number,
  why: "timeout" | "overflow",
  limits: DedupeLimits,
): { state: StreamState; event: StreamEvent } | undefined {
  const first = state.above[0];
  if (first === undefined) return undefined;
  const from = state.hwm + 1;
  const to = first[0] - 1;
  const skipped = [...state.skipped, [from, to] as const].slice(-limits.maxSkipped);
  const { holeSince: _old, ...rest } = state;
  const jumped: StreamState = { ...rest, hwm: to, skipped, lost: state.lost + (to - from + 1) };
  return { state: closeUp(jumped, now, limits), event: { kind: "gap", from, to, why } };
}

function knownId(state: StreamState, seq: number): string | undefined {
  return state.above.find(([s]) => s === seq)?.[1] ?? state.recent.find(([s]) => s === seq)?.[1];
}

/** What to do with message (seq, id) given the stream's state, and the state after it. */
export function admit(
  state: StreamState,
  seq: number,
  id: string,
  now: number,
  limits: DedupeLimits = DEFAULT_LIMITS,
): Admission {
  if (!Number.isSafeInteger(seq) || seq < 1) throw new RangeError(`seq must be a positive integer, got ${seq}`);
  const known = knownId(state, seq);
  if (seq === 1 && state.firstId !== undefined && id !== state.firstId) {
    // The gateway's outbox started again from 1 (a wiped or replaced box): a new epoch.
    const fresh: StreamState = {
      ...emptyState(),
      hwm: 1,
      firstId: id,
      recent: [[1, id]],
      delivered: state.delivered + 1,
      duplicates: state.duplicates,
      lost: state.lost,
      resets: state.resets + 1,
    };
    return { state: fresh, verdict: "deliver", events: [{ kind: "reset", previousHwm: state.hwm }] };
  }
  if (known !== undefined) {
    if (known === id)
      return { state: { ...state, duplicates: state.duplicates + 1 }, verdict: "duplicate", events: [] };
    return { state, verdict: "conflict", events: [{ kind: "conflict", seq, id, knownId: known }] };
  }
  const withFirst = seq === 1 ? { firstId: id } : {};
  if (seq <= state.hwm) {
    const late = state.skipped.some(([from, to]) => seq >= from && seq <= to);
    if (!late) return { state: { ...state, duplicates: state.duplicates + 1 }, verdict: "duplicate", events: [] };
    // A message from a hole already reported lost: deliver it (it was never delivered) and say so.
    const skipped = state.skipped
      .flatMap(([from, to]): Array<readonly [number, number]> =>
        seq < from || seq > to
          ? [[from, to]]
          : [...(from < seq ? [[from, seq - 1] as const] : []), ...(seq < to ? [[seq + 1, to] as const] : [])],
      )
      .slice(-limits.maxSkipped);
    return {
      state: { ...state, ...withFirst, skipped, lost: state.lost - 1, delivered: state.delivered + 1 },
      verdict: "deliver",
      events: [{ kind: "late", seq }],
    };
  }
  const counted = { ...state, ...withFirst, delivered: state.delivered + 1 };
  if (seq === state.hwm + 1) {
    const advanced: StreamState = { ...counted, hwm: seq, recent: remember(state.recent, [[seq, id]], limits.recent) };
    const closed = closeUp(advanced, now, limits);
    if (closed.above.length === 0) {
      const { holeSince: _h, ...rest } = closed;
      return { state: rest, verdict: "deliver", events: [] };
    }
    return { state: closed, verdict: "deliver", events: [] };
  }
  const above = [...state.above, [seq, id] as const].sort((a, b) => a[0] - b[0]);
  let next: StreamState = { ...counted, above, holeSince: state.holeSince ?? now };
  const events: StreamEvent[] = [];
  while (next.above.length > limits.maxAbove) {
    const skipped = skipHole(next, now, "overflow", limits);
    if (!skipped) break;
    next = skipped.state;
    events.push(skipped.event);
  }
  return { state: next, verdict: "deliver", events };
}

/** Reports and skips every hole open for at least `waitMs`; the state is unchanged when none is due. */
export function expireHoles(
  state: StreamState,
  now: number,
  waitMs: number,
  limits: DedupeLimits = DEFAULT_LIMITS,
): { state: StreamState; events: StreamEvent[] } {
  let next = state;
  const events: StreamEvent[] = [];
  while (next.holeSince !== undefined && now - next.holeSince >= waitMs) {
    const skipped = skipHole(next, now, "timeout", limits);
    if (!skipped) break;
    next = skipped.state;
    events.push(skipped.event);
    // What is still open past the skipped hole waits afresh from when it was first seen.
    if (next.holeSince !== undefined) next = { ...next, holeSince: state.holeSince ?? now };
  }
  return { state: next, events };
}

/** Structural check of a state read back from disk. */
export function isStreamState(value: unknown): value is StreamState {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  const pairs = (x: unknown) =>
    Array.isArray(x) && x.every((p) => Array.isArray(p) && p.length === 2 && Number.isSafeInteger(p[0]));
  return (
    Number.isSafeInteger(v.hwm) &&
    pairs(v.above) &&
    pairs(v.recent) &&
    pairs(v.skipped) &&
    Number.isSafeInteger(v.delivered) &&
    Number.isSafeInteger(v.lost)
  );
}
