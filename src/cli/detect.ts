import { readFile } from "node:fs/promises";
import { Writable } from "node:stream";
import { resolveZoneRules } from "../analytics/rules/zone-rule-config.js";
import { type ZoneHit, zoneHits } from "../analytics/zone-hits.js";
import { buildDetector } from "../compose/vision.js";
import { configPathFrom, loadConfig } from "../config/loader.js";
import type { Detection, Frame, FrameRegion } from "../contract/detection.js";
import { ErrorCodes, VigilError } from "../core/errors.js";
import { createLogger } from "../core/logger.js";
import { findModel, readManifest } from "../inference/model-manifest.js";
import { RegionDetector } from "../inference/regions/region-detector.js";
import { regionSettingsOf } from "../inference/regions/region-settings.js";
import { decodeJpegToWorkingSize } from "../ingest/jpeg-decoder.js";
import { workingSizeOf } from "../ingest/working-size.js";
import { annotationFilter, writeAnnotated } from "./annotate.js";
import { emit, fail } from "./output.js";

export interface DetectOptions {
  readonly config?: string;
  readonly camera?: string;
  readonly out?: string;
  readonly json?: boolean;
}

interface Pass {
  readonly regions: readonly FrameRegion[];
  readonly detections: ReadonlyArray<Detection & { zones?: ZoneHit[] }>;
}

/**
 * `vigil detect IMAGE`: the box's configured detector on a JPEG, as the daemon runs it on a
 * camera (the camera's working size and region settings with `--camera`, and which of its zones
 * and rules each detection would feed). Two frames: the first is the whole-frame pass a camera's
 * first frame gets; the second is the crops the daemon then places around what it found, at
 * near-native pixels. `--out` draws both passes' regions and the final detections.
 */
export async function detect(image: string, opts: DetectOptions): Promise<void> {
  const json = opts.json === true;
  try {
    const config = await loadConfig(configPathFrom(opts.config, process.env));
    const camera = opts.camera === undefined ? undefined : config.cameras.find((c) => c.id === opts.camera);
    if (opts.camera !== undefined && !camera) throw new VigilError(ErrorCodes.NOT_FOUND, `no camera "${opts.camera}" in the config`, { details: { field: "--camera" } });
    const decoded = await decodeJpegToWorkingSize(await readFile(image), workingSizeOf(camera?.detect ?? {}));
    const log = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });
    const model = findModel(await readManifest(config.models_dir), config.detector.model);
    const d = config.detector;
    const inner = buildDetector(config, model, () => {}, log);
    const regions = new RegionDetector(inner, { settings: () => regionSettingsOf(camera), iouThreshold: d.iou_threshold, maxDetections: d.max_detections, minArea: d.min_area, maxArea: d.max_area, trackHoldMs: 2000 });
    await regions.start();
    let passes: Pass[];
    try {
      if (!regions.loaded) throw new VigilError(ErrorCodes.MODEL_LOAD_FAILED, `model ${model.id} could not be loaded on any provider`);
      const frame = (index: number): Frame => ({ cameraId: camera?.id ?? "image", index, capturedAt: index * 200, width: decoded.width, height: decoded.height, rgb: decoded.rgb, source: decoded.source, motion: { score: 0, regions: [] } });
      const first = await regions.detect(frame(0));
      const second = await regions.detect(frame(1));
      passes = [first, second];
    } finally {
      await regions.stop();
    }
    const rules = camera ? resolveZoneRules(config) : [];
    const final = (passes[1]?.detections.length ? passes[1] : passes[0])?.detections ?? [];
    const detections = final.map((det) => (camera ? { ...det, zones: zoneHits(det, camera.id, camera.zones ?? [], rules) } : det));
    if (opts.out) await writeAnnotated(decoded.rgb, decoded.width, decoded.height, annotationFilter(passes.flatMap((p) => p.regions), detections, decoded.width, decoded.height), opts.out);
    const result = { model: model.id, camera: camera?.id ?? null, working_size: { width: decoded.width, height: decoded.height }, source: decoded.source ?? null, passes: passes.map((p) => ({ regions: p.regions, detections: p.detections.length })), detections, out: opts.out ?? null };
    emit(json, result, () => human(result));
  } catch (err) {
    fail(err, json);
  }
}

function human(r: { model: string; working_size: { width: number; height: number }; passes: Array<{ regions: readonly FrameRegion[] }>; detections: ReadonlyArray<Detection & { zones?: ZoneHit[] }>; out: string | null }): string {
  const lines = [`${r.model} at ${r.working_size.width}x${r.working_size.height}: ${r.detections.length} detection(s)`];
  r.passes.forEach((p, i) => lines.push(`  pass ${i + 1}: ${p.regions.map((g) => `${g.kind} ${Math.round(g.width * r.working_size.width)}x${Math.round(g.height * r.working_size.height)}`).join(", ") || "no region"}`));
  for (const d of r.detections) {
    const b = d.box;
    const where = d.zones?.map((z) => `${z.zone}${z.rules.length ? ` (${z.rules.join(", ")})` : ""}`).join(", ");
    lines.push(`  ${d.label} ${d.score.toFixed(2)} at ${[b.x1, b.y1, b.x2, b.y2].map((v) => v.toFixed(3)).join(",")}${where ? ` in ${where}` : ""}`);
  }
  if (r.out) lines.push(`annotated: ${r.out}`);
  return lines.join("\n");
}
