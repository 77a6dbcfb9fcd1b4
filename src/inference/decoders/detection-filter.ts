import type { Detection } from "../../contract/detection.js";
import type { Letterbox } from "../../core/letterbox.js";
import { letterboxToSource } from "../../core/letterbox.js";
import { boxArea, clampBox } from "../../core/geometry.js";
import { classAwareNms } from "../nms.js";
import type { RawDetection } from "./types.js";

/** What to keep of a model's raw detections; built once per detector from config and manifest. */
export interface DetectionFilter {
  /** The model's labels, index = class id. */
  readonly labels: readonly string[];
  /** Per class, the minimum score; +Infinity for classes not tracked. Passed to the decoder too. */
  readonly minScoreByClass: Float64Array;
  /** Box area relative to the source frame, inclusive bounds. */
  readonly minArea: number;
  readonly maxArea: number;
  readonly iouThreshold: number;
  readonly maxDetections: number;
  readonly preTopK: number;
}

export interface FilterSettings {
  readonly labels: readonly string[];
  readonly track: readonly string[];
  readonly scoreThreshold: number;
  readonly labelThresholds?: Readonly<Record<string, number>>;
  readonly minArea?: number;
  readonly maxArea?: number;
  readonly iouThreshold: number;
  readonly maxDetections?: number;
  readonly preTopK?: number;
}

/** Tracked labels the model does not know are returned so the caller can refuse the config. */
export function buildDetectionFilter(s: FilterSettings): { filter: DetectionFilter; unknownLabels: string[] } {
  const tracked = new Set(s.track);
  const minScoreByClass = new Float64Array(s.labels.length).fill(Number.POSITIVE_INFINITY);
  s.labels.forEach((label, c) => {
    if (tracked.has(label)) minScoreByClass[c] = s.labelThresholds?.[label] ?? s.scoreThreshold;
  });
  const known = new Set(s.labels);
  return {
    filter: {
      labels: s.labels,
      minScoreByClass,
      minArea: s.minArea ?? 0,
      maxArea: s.maxArea ?? 1,
      iouThreshold: s.iouThreshold,
      maxDetections: s.maxDetections ?? 100,
      preTopK: s.preTopK ?? 1000,
    },
    unknownLabels: s.track.filter((l) => !known.has(l)),
  };
}

/**
 * Raw decoder output -> the frame's detections: boxes mapped from the letterboxed model input to
 * the source frame (or just clamped when the source size is unknown), then the per-class score,
 * area filter and per-class NMS. Pure; the order matters only in that NMS comes last, so a box
 * filtered out for its size can never suppress a valid one.
 */
export function filterDetections(
  raw: readonly RawDetection[],
  f: DetectionFilter,
  letterbox: Letterbox | undefined,
): Detection[] {
  const candidates: Array<RawDetection & { label: string }> = [];
  for (const r of raw) {
    const label = f.labels[r.classId];
    if (label === undefined || !(r.score >= (f.minScoreByClass[r.classId] ?? Number.POSITIVE_INFINITY))) continue;
    const box = letterbox ? letterboxToSource(r.box, letterbox) : clampBox(r.box);
    const area = boxArea(box);
    if (!(area > 0) || area < f.minArea || area > f.maxArea) continue;
    candidates.push({ classId: r.classId, score: r.score, box, label });
  }
  return classAwareNms(candidates, {
    iouThreshold: f.iouThreshold,
    maxDetections: f.maxDetections,
    preTopK: f.preTopK,
  }).map((d) => ({ label: d.label, score: d.score, box: d.box }));
}
