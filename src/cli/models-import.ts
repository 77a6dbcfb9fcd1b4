import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import * as ort from "onnxruntime-node";
import { ErrorCodes, VigilError } from "../core/errors.js";
import { convertGraphModel } from "../inference/convert/convert-graph.js";
import { frameShape, withUint8Input } from "../inference/convert/uint8-input.js";
import { embeddingTemplate } from "../inference/faces/face-embedder.js";
import { readGraphModel } from "../inference/convert/graph-model-file.js";
import { type ModelEntry, readManifest, validateModelEntry, writeManifest } from "../inference/model-manifest.js";
import { modelsDirFrom, quietOrt } from "./models.js";
import { emit, fail } from "./output.js";

export interface ImportOptions {
  id: string;
  task: string;
  decoder: string;
  labels?: string;
  inputShape?: string;
  outputs?: string;
  layout?: string;
  color?: string;
  scale?: string;
  offset?: string;
  mean?: string;
  std?: string;
  align?: string;
  matchThreshold?: string;
  licence?: string;
  force?: boolean;
  modelsDir?: string;
  json?: boolean;
}

function usage(message: string): never {
  throw new VigilError(ErrorCodes.VALIDATION, message);
}

export function numberList(flag: string, text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  const values = text
    .split(/[,x ]+/)
    .filter((s) => s !== "")
    .map(Number);
  if (values.length === 0 || values.some((v) => !Number.isFinite(v)))
    usage(`${flag} must be numbers separated by commas, got "${text}"`);
  return values;
}

/** A fixed input shape: the flag's, else the model's own with an unknown batch taken as 1. */
export function resolveInputShape(
  declared: readonly (number | string)[] | undefined,
  flag: number[] | undefined,
): number[] {
  if (flag) {
    if (declared && declared.length !== flag.length)
      usage(`--input-shape has ${flag.length} dimensions, the model's input has ${declared.length}`);
    return flag;
  }
  if (!declared) return usage("the model does not declare its input shape: give --input-shape");
  return declared.map((d, i) => {
    if (typeof d === "number" && d > 0) return d;
    if (i === 0) return 1;
    return usage(`input dimension ${i} is dynamic (${String(d)}): give --input-shape`);
  });
}

/** Channel-first when dimension 1 is 3 (or 1) and the last is not; the usual YOLO export is NCHW. */
export function guessLayout(shape: readonly number[]): "NCHW" | "NHWC" {
  const c1 = shape[1];
  const c3 = shape[3];
  if ((c1 === 3 || c1 === 1) && c3 !== 3) return "NCHW";
  if (c3 === 3 || c3 === 1) return "NHWC";
  return usage(`cannot tell the layout of input shape [${shape.join(", ")}]: give --layout NCHW or NHWC`);
}

async function loadSource(file: string, opts: ImportOptions): Promise<{ bytes: Uint8Array; converted: boolean }> {
  if (!file.endsWith(".json")) return { bytes: await readFile(file), converted: false };
  const shape = numberList("--input-shape", opts.inputShape);
  const outputs = opts.outputs?.split(",").filter((s) => s !== "");
  const result = convertGraphModel(await readGraphModel(file), {
    ...(shape ? { inputShape: shape } : {}),
    ...(outputs ? { outputs } : {}),
  });
  return { bytes: result.bytes, converted: true };
}

async function inspect(
  bytes: Uint8Array,
  flagShape: number[] | undefined,
): Promise<{ input: string; shape: number[]; outputs: string[] }> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, { executionProviders: ["cpu"], logSeverityLevel: 3 });
  } catch (err) {
    throw new VigilError(
      ErrorCodes.MODEL_LOAD_FAILED,
      `ONNX Runtime cannot load the model: ${(err as Error).message}`,
      { cause: err },
    );
  }
  try {
    if (session.inputNames.length !== 1)
      usage(
        `the model has ${session.inputNames.length} inputs (${session.inputNames.join(", ")}); Vigil feeds one image tensor`,
      );
    const meta = session.inputMetadata[0];
    const input = session.inputNames[0] ?? usage("the model has no input");
    const shape = resolveInputShape(meta?.isTensor ? meta.shape : undefined, flagShape);
    if (shape.length !== 4) usage(`input "${input}" has ${shape.length} dimensions; an image input has 4`);
    if (meta?.isTensor && meta.type !== "float32")
      usage(
        `input "${input}" is ${meta.type}; Vigil feeds models a float32 image input (it bakes the uint8 frame's normalisation in front of it)`,
      );
    // One run on zeros proves the shape is one the model accepts before the manifest names it.
    await session.run({
      [input]: new ort.Tensor("float32", new Float32Array(shape.reduce((a, b) => a * b, 1)), shape),
    });
    return { input, shape, outputs: [...session.outputNames] };
  } finally {
    await session.release();
  }
}

/**
 * What the providers will load: the model with the uint8 frame input baked in. One run on a zero
 * frame, so a model the rewrite or ORT's optimiser cannot take is refused now, not at start.
 */
async function checkAsProvidersRunIt(bytes: Uint8Array, entry: ModelEntry): Promise<void> {
  const input = { name: entry.input.name, shape: entry.input.shape, encoding: entry.input };
  let session: ort.InferenceSession | undefined;
  try {
    session = await ort.InferenceSession.create(withUint8Input(bytes, input), {
      executionProviders: ["cpu"],
      logSeverityLevel: 3,
    });
    const shape = frameShape(input);
    await session.run({
      [entry.input.name]: new ort.Tensor("uint8", new Uint8Array(shape.reduce((a, b) => a * b, 1)), shape),
    });
  } catch (err) {
    throw new VigilError(
      ErrorCodes.MODEL_LOAD_FAILED,
      `the model does not run with Vigil's uint8 frame input in front of it: ${(err as Error).message}`,
      { cause: err },
    );
  } finally {
    await session?.release();
  }
}

/**
 * `vigil models import`: brings an installer's own model (an ONNX export such as YOLOv8/YOLO11, or
 * a TF.js graph model, converted) into models/, hashes it and adds its manifest entry.
 */
export async function modelsImport(file: string, opts: ImportOptions): Promise<void> {
  const json = opts.json === true;
  try {
    quietOrt();
    const dir = modelsDirFrom(opts.modelsDir);
    const manifest = await readManifest(dir);
    const existing = manifest.models.findIndex((m) => m.id === opts.id);
    if (existing >= 0 && opts.force !== true) {
      throw new VigilError(
        ErrorCodes.MODEL_EXISTS,
        `model "${opts.id}" is already in the manifest (use --force to replace it)`,
        { details: { model: opts.id } },
      );
    }
    const { bytes, converted } = await loadSource(file, opts);
    const info = await inspect(bytes, numberList("--input-shape", opts.inputShape));
    const labels = opts.labels
      ? (await readFile(opts.labels, "utf8"))
          .split(/\r?\n/)
          .map((l) => l.trim())
          .filter((l) => l !== "")
      : [];
    const mean = numberList("--mean", opts.mean);
    const std = numberList("--std", opts.std);
    const entry: ModelEntry = validateModelEntry({
      id: opts.id,
      task: opts.task,
      decoder: opts.decoder,
      file: `imported/${opts.id}.onnx`,
      sha256: createHash("sha256").update(bytes).digest("hex"),
      input: {
        name: info.input,
        shape: info.shape,
        layout: opts.layout ?? guessLayout(info.shape),
        color: opts.color ?? "RGB",
        scale: opts.scale === undefined ? 1 / 255 : Number(opts.scale),
        offset: opts.offset === undefined ? 0 : Number(opts.offset),
        ...(mean ? { mean } : {}),
        ...(std ? { std } : {}),
        ...(opts.align === undefined ? {} : { align: opts.align }),
      },
      ...(opts.matchThreshold === undefined ? {} : { match_threshold: Number(opts.matchThreshold) }),
      outputs: info.outputs,
      labels,
      licence: opts.licence ?? "user-supplied (not recorded)",
      attribution: `imported by the installer from ${file}${converted ? " (converted from TF.js)" : ""}`,
    });
    // An embedder must take the crop its face template makes (MANIFEST_INVALID names the size).
    if (entry.task === "face-embedding") embeddingTemplate(entry);
    await checkAsProvidersRunIt(bytes, entry);
    const target = join(dir, entry.file);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(`${target}.partial`, bytes);
    await rename(`${target}.partial`, target);
    if (existing >= 0) manifest.models[existing] = entry;
    else manifest.models.push(entry);
    await writeManifest(dir, manifest);
    emit(
      json,
      { ok: true, models_dir: dir, model: entry },
      () =>
        `imported ${entry.id}: ${entry.file} (${entry.input.name} [${entry.input.shape.join(", ")}] ${entry.input.layout}; outputs ${entry.outputs.join(", ")})`,
    );
  } catch (err) {
    fail(err, json);
  }
}
