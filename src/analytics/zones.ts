import type { Point } from "../core/geometry.js";
import { bottomCentre } from "./box-geometry.js";
import type { Track } from "./tracker.js";

/** A camera's zone from config: a polygon in relative (0..1) frame coordinates. */
export interface ZoneDef {
  readonly id: string;
  readonly name?: string | undefined;
  readonly polygon: ReadonlyArray<readonly number[]>;
  /** Only these labels count as present; absent: every label. */
  readonly labels?: readonly string[] | undefined;
}

/** Even-odd ray casting; a point exactly on an edge may fall either side. Pure. */
export function pointInPolygon(p: Point, polygon: ReadonlyArray<readonly number[]>): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi = 0, yi = 0] = polygon[i] ?? [];
    const [xj = 0, yj = 0] = polygon[j] ?? [];
    if (yi > p.y !== yj > p.y && p.x < ((xj - xi) * (p.y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Whether the track stands in the zone: its box's bottom centre (its feet or wheels) is inside. */
export function inZone(track: Track, zone: ZoneDef): boolean {
  if (zone.labels !== undefined && !zone.labels.includes(track.label)) return false;
  return pointInPolygon(bottomCentre(track.box), zone.polygon);
}

export interface ZoneEvent {
  readonly kind: "enter" | "leave";
  readonly zoneId: string;
  readonly trackId: number;
  readonly at: number;
  /** Time in the zone: 0 on enter, the whole stay on leave. */
  readonly dwellMs: number;
}

export interface ZoneOccupant {
  readonly track: Track;
  readonly enteredAt: number;
  /** Loitering time: how long the track has been in the zone. */
  readonly dwellMs: number;
}

/** zone id -> track id -> when it entered. */
export interface ZonePresence {
  readonly entered: ReadonlyMap<string, ReadonlyMap<number, number>>;
}

export const EMPTY_PRESENCE: ZonePresence = { entered: new Map() };

export interface ZoneStep {
  readonly presence: ZonePresence;
  readonly events: readonly ZoneEvent[];
  /** Per zone, the confirmed tracks in it now, in track id order. */
  readonly occupants: ReadonlyMap<string, readonly ZoneOccupant[]>;
}

/**
 * Presence per zone after a tracker step: `tracks` are the live tracks (a track missing a frame
 * stays where it was last seen); a track that ended or walked out leaves. Only confirmed tracks
 * count. Pure.
 */
export function stepZones(
  presence: ZonePresence,
  zones: readonly ZoneDef[],
  tracks: readonly Track[],
  at: number,
): ZoneStep {
  const entered = new Map<string, Map<number, number>>();
  const events: ZoneEvent[] = [];
  const occupants = new Map<string, ZoneOccupant[]>();
  const live = tracks.filter((t) => t.confirmed).sort((a, b) => a.id - b.id);
  for (const zone of zones) {
    const before = presence.entered.get(zone.id) ?? new Map<number, number>();
    const now = new Map<number, number>();
    const list: ZoneOccupant[] = [];
    for (const track of live) {
      if (!inZone(track, zone)) continue;
      const since = before.get(track.id);
      if (since === undefined) events.push({ kind: "enter", zoneId: zone.id, trackId: track.id, at, dwellMs: 0 });
      const enteredAt = since ?? at;
      now.set(track.id, enteredAt);
      list.push({ track, enteredAt, dwellMs: at - enteredAt });
    }
    for (const [trackId, since] of before)
      if (!now.has(trackId)) events.push({ kind: "leave", zoneId: zone.id, trackId, at, dwellMs: at - since });
    entered.set(zone.id, now);
    occupants.set(zone.id, list);
  }
  return { presence: { entered }, events, occupants };
}
