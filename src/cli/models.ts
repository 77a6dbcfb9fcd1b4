import * as ort from "onnxruntime-node";
import { ErrorCodes, VigilError } from "../core/errors.js";
import { PACKAGE_ROOT } from "../core/version.js";
import { fetchModel, type FetchOutcome } from "../inference/model-fetch.js";
import { readManifest, verifyModelFile } from "../inference/model-manifest.js";
import { resolve } from "node:path";
import { emit, fail, progress } from "./output.js";

function modelsDirFrom(flag: string | undefined): string {
  return resolve(flag ?? process.env.VIGIL_MODELS_DIR ?? resolve(PACKAGE_ROOT, "models"));
}

export async function modelsFetch(opts: { modelsDir?: string; json?: boolean }): Promise<void> {
  const json = opts.json === true;
  try {
    const dir = modelsDirFrom(opts.modelsDir);
    const manifest = await readManifest(dir);
    const tick = progress("fetching models");
    const results: { id: string; outcome: FetchOutcome }[] = [];
    for (const [i, entry] of manifest.models.entries()) {
      tick(i, manifest.models.length, entry.id);
      results.push({ id: entry.id, outcome: await fetchModel(dir, entry) });
    }
    tick(manifest.models.length, manifest.models.length);
    emit(json, { ok: true, models_dir: dir, models: results }, () => results.map((r) => `${r.id}: ${r.outcome}`).join("\n"));
  } catch (err) {
    fail(err, json);
  }
}

/** Loads each model, runs it on zeros and reports the median latency: proof it is usable here. */
export async function modelsVerify(opts: { modelsDir?: string; json?: boolean; runs?: string }): Promise<void> {
  const json = opts.json === true;
  const runs = Math.max(1, Number(opts.runs ?? 20));
  try {
    const dir = modelsDirFrom(opts.modelsDir);
    const manifest = await readManifest(dir);
    const results: { id: string; task: string; sha256: string; load_ms: number; median_ms: number; runs: number }[] = [];
    for (const entry of manifest.models) {
      const path = await verifyModelFile(dir, entry);
      const t0 = performance.now();
      const session = await ort.InferenceSession.create(path, { executionProviders: ["cpu"], logSeverityLevel: 3 });
      const loadMs = performance.now() - t0;
      const size = entry.input.shape.reduce((a, b) => a * b, 1);
      const feeds = { [entry.input.name]: new ort.Tensor("float32", new Float32Array(size), entry.input.shape) };
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const s = performance.now();
        await session.run(feeds);
        times.push(performance.now() - s);
      }
      await session.release();
      times.sort((a, b) => a - b);
      const median = times[Math.floor(times.length / 2)];
      if (median === undefined) throw new VigilError(ErrorCodes.INTERNAL, "no timing");
      results.push({ id: entry.id, task: entry.task, sha256: entry.sha256, load_ms: Math.round(loadMs), median_ms: Math.round(median * 100) / 100, runs });
    }
    emit(json, { ok: true, models_dir: dir, models: results }, () =>
      results.map((r) => `${r.id.padEnd(24)} ${r.task.padEnd(16)} load ${r.load_ms} ms  median ${r.median_ms} ms (${r.runs} runs)`).join("\n"),
    );
  } catch (err) {
    fail(err, json);
  }
}
