import { resolve } from "node:path";
import * as ort from "onnxruntime-node";
import { ErrorCodes, isVigilError, VigilError } from "../core/errors.js";
import { PACKAGE_ROOT } from "../core/version.js";
import { fetchModel, type FetchOutcome } from "../inference/model-fetch.js";
import {
  findModel,
  type Manifest,
  type ModelEntry,
  readManifest,
  verifyModelFile,
} from "../inference/model-manifest.js";
import { emit, fail, progress } from "./output.js";

/**
 * ONNX Runtime's default logger prints load-time warnings (e.g. that opset 13 deprecates the
 * tf_half_pixel_for_nn resize mode the converter must use) straight to the terminal.
 */
export function quietOrt(): void {
  ort.env.logLevel = "error";
}

export function modelsDirFrom(flag: string | undefined): string {
  return resolve(flag ?? process.env.VIGIL_MODELS_DIR ?? resolve(PACKAGE_ROOT, "models"));
}

/** The default set (every model not marked optional) plus the opted-in ids. */
export function selectForFetch(manifest: Manifest, include: readonly string[]): ModelEntry[] {
  const wanted = new Set(include.map((id) => findModel(manifest, id).id));
  return manifest.models.filter((m) => m.optional !== true || wanted.has(m.id));
}

export async function modelsFetch(opts: { modelsDir?: string; json?: boolean; include?: string[] }): Promise<void> {
  const json = opts.json === true;
  try {
    const dir = modelsDirFrom(opts.modelsDir);
    const entries = selectForFetch(await readManifest(dir), opts.include ?? []);
    const tick = progress("fetching models");
    const results: { id: string; outcome: FetchOutcome }[] = [];
    for (const [i, entry] of entries.entries()) {
      tick(i, entries.length, entry.id);
      results.push({ id: entry.id, outcome: await fetchModel(dir, entry) });
    }
    tick(entries.length, entries.length);
    emit(json, { ok: true, models_dir: dir, models: results }, () =>
      results.map((r) => `${r.id}: ${r.outcome}`).join("\n"),
    );
  } catch (err) {
    fail(err, json);
  }
}

interface VerifyResult {
  id: string;
  task: string;
  status: "ok" | "not-fetched";
  sha256: string;
  load_ms?: number;
  median_ms?: number;
  runs?: number;
}

/** The session's names must be the manifest's: decoders look outputs up by these names. */
function checkNames(entry: ModelEntry, session: ort.InferenceSession): void {
  const missing = [entry.input.name, ...entry.outputs].filter(
    (n) => !session.inputNames.includes(n) && !session.outputNames.includes(n),
  );
  if (missing.length > 0) {
    throw new VigilError(
      ErrorCodes.MODEL_LOAD_FAILED,
      `model "${entry.id}" has no tensor(s) ${missing.join(", ")} (inputs: ${session.inputNames.join(", ")}; outputs: ${session.outputNames.join(", ")})`,
      {
        details: { model: entry.id, missing },
      },
    );
  }
}

async function verifyOne(dir: string, entry: ModelEntry, runs: number): Promise<VerifyResult> {
  let path: string;
  try {
    path = await verifyModelFile(dir, entry);
  } catch (err) {
    // An opt-in model nobody fetched is not a fault of the box.
    if (entry.optional === true && isVigilError(err, ErrorCodes.MODEL_NOT_FOUND))
      return { id: entry.id, task: entry.task, status: "not-fetched", sha256: entry.sha256 };
    throw err;
  }
  const t0 = performance.now();
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(path, { executionProviders: ["cpu"], logSeverityLevel: 3 });
  } catch (err) {
    throw new VigilError(ErrorCodes.MODEL_LOAD_FAILED, `model "${entry.id}" does not load: ${(err as Error).message}`, {
      cause: err,
      details: { model: entry.id },
    });
  }
  const loadMs = performance.now() - t0;
  try {
    checkNames(entry, session);
    const size = entry.input.shape.reduce((a, b) => a * b, 1);
    const feeds = { [entry.input.name]: new ort.Tensor("float32", new Float32Array(size), entry.input.shape) };
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const s = performance.now();
      await session.run(feeds);
      times.push(performance.now() - s);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)] ?? 0;
    return {
      id: entry.id,
      task: entry.task,
      status: "ok",
      sha256: entry.sha256,
      load_ms: Math.round(loadMs),
      median_ms: Math.round(median * 100) / 100,
      runs,
    };
  } finally {
    await session.release();
  }
}

/** Loads each model, checks its hash and tensor names, runs it on zeros and reports the median latency. */
export async function modelsVerify(opts: { modelsDir?: string; json?: boolean; runs?: string }): Promise<void> {
  const json = opts.json === true;
  const runs = Math.max(1, Number(opts.runs ?? 20));
  try {
    quietOrt();
    const dir = modelsDirFrom(opts.modelsDir);
    const manifest = await readManifest(dir);
    const results: VerifyResult[] = [];
    for (const entry of manifest.models) results.push(await verifyOne(dir, entry, runs));
    emit(json, { ok: true, models_dir: dir, models: results }, () =>
      results
        .map((r) =>
          r.status === "ok"
            ? `${r.id.padEnd(24)} ${r.task.padEnd(16)} load ${r.load_ms} ms  median ${r.median_ms} ms (${r.runs} runs)`
            : `${r.id.padEnd(24)} ${r.task.padEnd(16)} not fetched (optional: vigil models fetch --include ${r.id})`,
        )
        .join("\n"),
    );
  } catch (err) {
    fail(err, json);
  }
}
