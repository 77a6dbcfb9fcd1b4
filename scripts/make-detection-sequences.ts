// Writes the recorded detection sequences the rule tests replay (test/fixtures/sequences/*.json).
// Each is built from geometry: an object's feet follow waypoints at walking or driving speed, its
// box is sized by perspective (further up the picture, smaller), and the detector's flaws are
// added with a seeded PRNG: jitter on every edge, scores that wander, frames where the object is
// missed, runs of missed frames (occlusion), and spurious one-frame detections. Deterministic:
// the same seed writes the same files. Run: npx tsc -p tsconfig.json && node dist/scripts/make-detection-sequences.js
import { writeFileSync } from "node:fs";
import { join } from "node:path";

interface Det {
  label: string;
  score: number;
  box: { x1: number; y1: number; x2: number; y2: number };
}
interface Frame {
  at: number;
  detections: Det[];
}
type Waypoint = readonly [x: number, y: number, atS: number];

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const START = Date.parse("2026-11-16T22:00:00.000Z");
const FPS = 5;
const r4 = (n: number): number => Math.round(n * 10_000) / 10_000;
const clamp = (n: number): number => Math.min(1, Math.max(0, n));

class Scene {
  readonly frames: Frame[];
  private readonly rand: () => number;
  constructor(seconds: number, seed: number) {
    this.rand = mulberry32(seed);
    this.frames = Array.from({ length: Math.round(seconds * FPS) }, (_, i) => ({
      at: START + Math.round((i * 1000) / FPS),
      detections: [],
    }));
  }
  gauss(sigma: number): number {
    const u = Math.max(1e-9, this.rand());
    return sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.rand());
  }
  /** An object whose feet follow the waypoints (linear between them), seen with the detector's flaws. */
  object(
    label: string,
    path: readonly Waypoint[],
    o: {
      width: number;
      height: number;
      score: number;
      missRate: number;
      occluded?: ReadonlyArray<readonly [number, number]>;
    },
  ): this {
    const first = path[0];
    const last = path.at(-1);
    if (!first || !last) return this;
    for (const f of this.frames) {
      const t = (f.at - START) / 1000;
      if (t < first[2] || t > last[2]) continue;
      if (o.occluded?.some(([a, b]) => t >= a && t < b)) continue;
      if (this.rand() < o.missRate) continue;
      const i = path.findIndex((w) => w[2] >= t);
      const b = path[Math.max(0, i)] ?? last;
      const a = path[Math.max(0, i - 1)] ?? first;
      const k = b[2] === a[2] ? 1 : (t - a[2]) / (b[2] - a[2]);
      const x = a[0] + (b[0] - a[0]) * k;
      const y = a[1] + (b[1] - a[1]) * k;
      const scale = 0.6 + 0.6 * y;
      const w = o.width * scale;
      const h = o.height * scale;
      const j = () => this.gauss(0.004 * scale);
      f.detections.push({
        label,
        score: r4(Math.min(0.99, Math.max(0.3, o.score + this.gauss(0.06)))),
        box: {
          x1: r4(clamp(x - w / 2 + j())),
          y1: r4(clamp(y - h + j())),
          x2: r4(clamp(x + w / 2 + j())),
          y2: r4(clamp(y + j())),
        },
      });
    }
    return this;
  }
  /** Spurious detections lasting `frames` frames at random places (leaves, reflections). */
  flickers(label: string, count: number, frames: number, region: readonly [number, number, number, number]): this {
    for (let n = 0; n < count; n++) {
      const start = Math.floor(this.rand() * (this.frames.length - frames));
      const x = region[0] + this.rand() * (region[2] - region[0]);
      const y = region[1] + this.rand() * (region[3] - region[1]);
      for (let i = start; i < start + frames; i++) {
        this.frames[i]?.detections.push({
          label,
          score: r4(0.35 + this.rand() * 0.3),
          box: { x1: r4(x - 0.03), y1: r4(y - 0.12), x2: r4(x + 0.03), y2: r4(y) },
        });
      }
    }
    return this;
  }
}

const PERSON = { width: 0.07, height: 0.24, score: 0.72, missRate: 0.08 };
const CAR = { width: 0.22, height: 0.14, score: 0.8, missRate: 0.06 };
const SERVER_ROOM_DOOR = [
  [0.35, 0.45],
  [0.65, 0.45],
  [0.65, 0.8],
  [0.35, 0.8],
];
const BENCH_AREA = [
  [0.1, 0.5],
  [0.6, 0.5],
  [0.6, 0.9],
  [0.1, 0.9],
];
const FIRE_LANE = [
  [0.3, 0.55],
  [0.95, 0.55],
  [0.95, 0.85],
  [0.3, 0.85],
];

function write(
  name: string,
  description: string,
  zone: { id: string; polygon: number[][] },
  rule: Record<string, unknown>,
  scene: Scene,
  seed: number,
): void {
  const doc = {
    description,
    generated_by: `scripts/make-detection-sequences.ts, seed ${seed}`,
    camera: "yard",
    fps: FPS,
    zones: [zone],
    rules: [{ id: name, camera: "yard", zone: zone.id, ...rule }],
    frames: scene.frames,
  };
  writeFileSync(join("test", "fixtures", "sequences", `${name}.json`), `${JSON.stringify(doc)}\n`);
}

write(
  "walk-through",
  "A person walks left to right across the picture (about 1.3 m/s), through the restricted zone in front of the server room door, missed in 8% of frames and fully occluded for 1.6 s inside the zone (behind a pillar: long enough to end its track); spurious one-frame detections elsewhere.",
  { id: "server-door", polygon: SERVER_ROOM_DOOR },
  { kind: "restricted", min_seconds: 0 },
  new Scene(16, 11)
    .object(
      "person",
      [
        [0.02, 0.62, 1],
        [0.5, 0.66, 7],
        [0.98, 0.6, 14],
      ],
      { ...PERSON, occluded: [[6.0, 7.6]] },
    )
    .flickers("person", 6, 1, [0.0, 0.1, 1.0, 0.4]),
  11,
);
write(
  "loiterer",
  "A person walks into the bench area and wanders about inside it for 45 s (loitering threshold 30 s), then leaves; missed in 8% of frames.",
  { id: "benches", polygon: BENCH_AREA },
  { kind: "loitering", min_seconds: 30 },
  new Scene(60, 23).object(
    "person",
    [
      [0.0, 0.7, 0],
      [0.3, 0.7, 3],
      [0.4, 0.6, 12],
      [0.25, 0.75, 22],
      [0.45, 0.7, 34],
      [0.35, 0.65, 48],
      [0.9, 0.7, 55],
    ],
    PERSON,
  ),
  23,
);
write(
  "passer-by",
  "A person walks straight through the bench area in about 8 s (loitering threshold 30 s); missed in 8% of frames.",
  { id: "benches", polygon: BENCH_AREA },
  { kind: "loitering", min_seconds: 30 },
  new Scene(20, 37).object(
    "person",
    [
      [0.0, 0.7, 1],
      [0.9, 0.72, 14],
    ],
    PERSON,
  ),
  37,
);
write(
  "parked-car",
  "A car drives into the fire lane and parks for about 4 min (no-parking threshold 60 s), hidden for 2 s by a passing van; a second car drives through the lane without stopping.",
  { id: "fire-lane", polygon: FIRE_LANE },
  { kind: "no_parking", min_seconds: 60 },
  new Scene(300, 41)
    .object(
      "car",
      [
        [0.0, 0.7, 2],
        [0.6, 0.72, 8],
        [0.6, 0.72, 260],
        [1.0, 0.75, 266],
      ],
      { ...CAR, occluded: [[120, 122]] },
    )
    .object(
      "car",
      [
        [1.0, 0.62, 150],
        [0.0, 0.6, 158],
      ],
      CAR,
    ),
  41,
);
write(
  "flicker",
  "Spurious person detections of one or two frames (shadows, reflections) scattered over the restricted zone for a minute; min_frames is 3.",
  { id: "server-door", polygon: SERVER_ROOM_DOOR },
  { kind: "restricted", min_seconds: 0 },
  new Scene(60, 53)
    .flickers("person", 25, 1, [0.36, 0.5, 0.64, 0.78])
    .flickers("person", 15, 2, [0.36, 0.5, 0.64, 0.78]),
  53,
);
