import { readFile } from "node:fs/promises";
import { Writable } from "node:stream";
import { resolveZoneRules } from "../analytics/rules/zone-rule-config.js";
import { type DetectionPreview, detectionPreview } from "../compose/detection-preview.js";
import { buildDetector, regionDetectorOptions } from "../compose/vision.js";
import { configPathFrom, loadConfig } from "../config/loader.js";
import type { Frame } from "../contract/detection.js";
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
    if (opts.camera !== undefined && !camera)
      throw new VigilError(ErrorCodes.NOT_FOUND, `no camera "${opts.camera}" in the config`, {
        details: { field: "--camera" },
      });
    const decoded = await decodeJpegToWorkingSize(await readFile(image), workingSizeOf(camera?.detect ?? {}));
    const log = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });
    const model = findModel(await readManifest(config.models_dir), config.detector.model);
    const regions = new RegionDetector(
      buildDetector(config, model, () => {}, log),
      regionDetectorOptions(config, () => regionSettingsOf(camera)),
    );
    await regions.start();
    let result: DetectionPreview;
    try {
      if (!regions.loaded)
        throw new VigilError(ErrorCodes.MODEL_LOAD_FAILED, `model ${model.id} could not be loaded on any provider`);
      const frame: Frame = {
        cameraId: camera?.id ?? "image",
        index: 0,
        capturedAt: 0,
        width: decoded.width,
        height: decoded.height,
        rgb: decoded.rgb,
        source: decoded.source,
      };
      result = await detectionPreview(regions, frame, camera, camera ? resolveZoneRules(config) : []);
    } finally {
      await regions.stop();
    }
    if (opts.out)
      await writeAnnotated(
        decoded.rgb,
        decoded.width,
        decoded.height,
        annotationFilter(
          result.passes.flatMap((p) => p.regions),
          result.detections,
          decoded.width,
          decoded.height,
        ),
        opts.out,
      );
    emit(json, { model: model.id, ...result, out: opts.out ?? null }, () => human(model.id, result, opts.out));
  } catch (err) {
    fail(err, json);
  }
}

function human(model: string, r: DetectionPreview, out: string | undefined): string {
  const lines = [`${model} at ${r.working_size.width}x${r.working_size.height}: ${r.detections.length} detection(s)`];
  r.passes.forEach((p, i) =>
    lines.push(
      `  pass ${i + 1}: ${p.regions.map((g) => `${g.kind} ${Math.round(g.width * r.working_size.width)}x${Math.round(g.height * r.working_size.height)}`).join(", ") || "no region"}`,
    ),
  );
  for (const d of r.detections) {
    const b = d.box;
    const where = d.zones.map((z) => `${z.zone}${z.rules.length ? ` (${z.rules.join(", ")})` : ""}`).join(", ");
    lines.push(
      `  ${d.label} ${d.score.toFixed(2)} at ${[b.x1, b.y1, b.x2, b.y2].map((v) => v.toFixed(3)).join(",")}${where ? ` in ${where}` : ""}`,
    );
  }
  if (out) lines.push(`annotated: ${out}`);
  return lines.join("\n");
}
