import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { buildConfig } from "../../src/config/loader.js";
import type { VigilConfig } from "../../src/config/schema.js";
import type { Detection, DetectionResult } from "../../src/contract/detection.js";
import type { LatestFrames } from "../../src/contract/latest-frames.js";
import { PACKAGE_ROOT } from "../../src/core/version.js";

/** A recorded detection sequence (test/fixtures/sequences, made by scripts/make-detection-sequences.ts). */
export interface DetectionSequence {
  readonly description: string;
  readonly camera: string;
  readonly zones: Array<{ id: string; polygon: number[][] }>;
  readonly rules: Array<Record<string, unknown>>;
  readonly frames: Array<{ at: number; detections: Detection[] }>;
}

export async function loadSequence(name: string): Promise<DetectionSequence> {
  return JSON.parse(
    await readFile(join(PACKAGE_ROOT, "test", "fixtures", "sequences", `${name}.json`), "utf8"),
  ) as DetectionSequence;
}

/** The sequence's camera, zones and rules through the real config loader (defaults, validation). */
export function sequenceConfig(
  seq: DetectionSequence,
  dataDir: string,
  rules: Record<string, unknown> = {},
): Readonly<VigilConfig> {
  return buildConfig(
    {
      site: "hq",
      gateway: "gw-01",
      data_dir: dataDir,
      cameras: [{ id: seq.camera, url: "rtsp://127.0.0.1:8554/yard", zones: seq.zones }],
      rules: { zones: seq.rules, ...rules },
    },
    {},
    dataDir,
  );
}

export function* detectionResults(seq: DetectionSequence): Generator<DetectionResult> {
  let frameIndex = 0;
  for (const f of seq.frames)
    yield {
      cameraId: seq.camera,
      frameIndex: frameIndex++,
      capturedAt: f.at,
      detections: f.detections,
      inferenceMs: 0,
    };
}

/** Real photos standing in for a camera's latest frame (test/fixtures/data/photos). */
export async function photoFrames(clock: () => number, photo = "person.jpg"): Promise<LatestFrames> {
  const jpeg = await readFile(join(PACKAGE_ROOT, "test", "fixtures", "data", "photos", photo));
  return { latestJpeg: () => ({ jpeg, capturedAt: clock() }) };
}
