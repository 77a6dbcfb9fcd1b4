/**
 * Analytics cost per frame on one core: tracker + zones + zone rules + grouping, for a crowded
 * scene (N people walking across 3 zones with detector noise) and for the recorded parked-car
 * sequence. Prints the median and p99 microseconds per frame over repeated runs.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { analyseFrame, type CameraAnalysisState, NEW_CAMERA_ANALYSIS } from "../src/analytics/camera-analysis.js";
import { closeExpired, groupCandidates, type GroupingState, NO_GROUPS } from "../src/analytics/grouping.js";
import type { ZoneRule } from "../src/analytics/rules/candidate.js";
import { DEFAULT_TRACKER_OPTIONS } from "../src/analytics/tracker.js";
import type { ZoneDef } from "../src/analytics/zones.js";
import type { Detection } from "../src/contract/detection.js";
import { PACKAGE_ROOT } from "../src/core/version.js";
import { fmt, median, percentile } from "./stats.js";

const ZONES: ZoneDef[] = [
  {
    id: "a",
    polygon: [
      [0.05, 0.4],
      [0.35, 0.4],
      [0.35, 0.95],
      [0.05, 0.95],
    ],
  },
  {
    id: "b",
    polygon: [
      [0.35, 0.4],
      [0.65, 0.4],
      [0.65, 0.95],
      [0.35, 0.95],
    ],
  },
  {
    id: "c",
    polygon: [
      [0.65, 0.4],
      [0.95, 0.4],
      [0.95, 0.95],
      [0.65, 0.95],
    ],
  },
];
const RULES: ZoneRule[] = ZONES.flatMap((z) => [
  {
    id: `r-${z.id}`,
    kind: "restricted" as const,
    cameraId: "cam",
    zoneId: z.id,
    zoneName: z.id,
    labels: ["person"],
    minMs: 0,
    nextStep: "notify" as const,
  },
  {
    id: `l-${z.id}`,
    kind: "loitering" as const,
    cameraId: "cam",
    zoneId: z.id,
    zoneName: z.id,
    labels: ["person"],
    minMs: 30_000,
    nextStep: "notify" as const,
  },
]);

function crowd(people: number, frames: number): Array<{ at: number; detections: Detection[] }> {
  let seed = 7;
  const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const walkers = Array.from({ length: people }, () => ({
    x: rand(),
    y: 0.45 + rand() * 0.45,
    vx: (rand() - 0.5) * 0.01,
  }));
  return Array.from({ length: frames }, (_, f) => ({
    at: f * 200,
    detections: walkers
      .filter(() => rand() > 0.08)
      .map((w) => {
        const x = (((w.x + w.vx * f) % 1) + 1) % 1;
        return {
          label: "person",
          score: 0.5 + rand() * 0.4,
          box: { x1: x - 0.03 + rand() * 0.004, y1: w.y - 0.2, x2: x + 0.03, y2: w.y + rand() * 0.004 },
        };
      }),
  }));
}

function perFrameMicros(
  frames: ReadonlyArray<{ at: number; detections: readonly Detection[] }>,
  zones: ZoneDef[],
  rules: ZoneRule[],
): number[] {
  let state: CameraAnalysisState = NEW_CAMERA_ANALYSIS;
  let groups: GroupingState = NO_GROUPS;
  const out: number[] = [];
  for (const f of frames) {
    const t0 = performance.now();
    const step = analyseFrame(state, f.detections, f.at, { zones, rules, tracker: DEFAULT_TRACKER_OPTIONS });
    const g = groupCandidates(groups, step.candidates, 30_000);
    groups = closeExpired(g.state, f.at, 30_000).state;
    state = step.state;
    out.push((performance.now() - t0) * 1000);
  }
  return out;
}

for (const people of [1, 10, 30]) {
  const frames = crowd(people, 3000);
  perFrameMicros(frames.slice(0, 300), ZONES, RULES); // warm-up
  const samples = [1, 2, 3].flatMap(() => perFrameMicros(frames, ZONES, RULES));
  console.log(
    `crowd ${String(people).padStart(2)} people, 3 zones, 6 rules: median ${fmt(median(samples), 1)} us/frame, p99 ${fmt(percentile(samples, 99), 1)} us/frame`,
  );
}
const parked = JSON.parse(
  await readFile(join(PACKAGE_ROOT, "test", "fixtures", "sequences", "parked-car.json"), "utf8"),
) as { zones: ZoneDef[]; frames: Array<{ at: number; detections: Detection[] }> };
const laneRule: ZoneRule[] = [
  {
    id: "np",
    kind: "no_parking",
    cameraId: "yard",
    zoneId: "fire-lane",
    zoneName: "fire-lane",
    labels: ["car"],
    minMs: 60_000,
    nextStep: "notify",
  },
];
const samples = [1, 2, 3].flatMap(() => perFrameMicros(parked.frames, parked.zones, laneRule));
console.log(
  `parked-car sequence (${parked.frames.length} frames): median ${fmt(median(samples), 1)} us/frame, p99 ${fmt(percentile(samples, 99), 1)} us/frame`,
);
