import * as ort from "onnxruntime-node";
import { ErrorCodes, VigilError } from "../../core/errors.js";
import type { Component } from "../../core/lifecycle.js";
import type { Logger } from "../../core/logger.js";
import { type ModelEntry, verifyModelFile } from "../model-manifest.js";
import { type FaceTemplate, faceTemplate } from "./face-templates.js";
import { l2Normalise } from "./embedding-math.js";
import { cropToTensor } from "./embedding-input.js";

export interface FaceEmbedderOptions {
  readonly modelsDir: string;
  readonly model: ModelEntry;
  readonly threads: number;
}

/**
 * The model's face template, checked against its input: one RGB image of the template's size,
 * NHWC or NCHW. A mismatch is a manifest error, found before anything is loaded.
 */
function templateOf(model: ModelEntry): FaceTemplate {
  const template = faceTemplate(model.input.align);
  const size = template.size;
  const [n, a, b, c] = model.input.shape;
  const ok = model.task === "face-embedding" && n === 1 && (model.input.layout === "NHWC" ? a === size && b === size && c === 3 : a === 3 && b === size && c === size);
  if (!ok) {
    throw new VigilError(ErrorCodes.MANIFEST_INVALID, `model "${model.id}" is not a face-embedding model taking one ${size}x${size} RGB image (its face template, input.align, is "${model.input.align ?? "arcface-112"}")`);
  }
  return template;
}

/**
 * Turns an aligned face (the model's template size) into a unit-length embedding with
 * onnxruntime-node (CPU). The model file is checked against the manifest's sha256 before it is
 * loaded, like the detector's.
 */
export class FaceEmbedder implements Component {
  readonly name = "face-embedder";
  /** Where faces must be aligned for this model; callers align with it before embed(). */
  readonly template: FaceTemplate;
  private session: ort.InferenceSession | undefined;
  private readonly input: Float32Array<ArrayBuffer>;
  private serial: Promise<unknown> = Promise.resolve();
  private runs = 0;
  private totalMs = 0;

  constructor(
    private readonly options: FaceEmbedderOptions,
    private readonly log: Logger,
  ) {
    this.template = templateOf(options.model);
    this.input = new Float32Array(this.template.size * this.template.size * 3);
  }

  get loaded(): boolean {
    return this.session !== undefined;
  }

  get modelId(): string {
    return this.options.model.id;
  }

  get stats(): { runs: number; meanMs: number | undefined } {
    return { runs: this.runs, meanMs: this.runs > 0 ? this.totalMs / this.runs : undefined };
  }

  async start(): Promise<void> {
    const { model } = this.options;
    const path = await verifyModelFile(this.options.modelsDir, model);
    try {
      this.session = await ort.InferenceSession.create(path, {
        executionProviders: ["cpu"],
        intraOpNumThreads: this.options.threads,
        interOpNumThreads: 1,
        graphOptimizationLevel: "all",
        logSeverityLevel: 3,
      });
    } catch (err) {
      throw new VigilError(ErrorCodes.MODEL_LOAD_FAILED, `cannot load model "${model.id}" from ${path}: ${(err as Error).message}`, { cause: err });
    }
    const output = model.outputs[0] ?? "";
    if (!this.session.outputNames.includes(output)) throw new VigilError(ErrorCodes.MODEL_LOAD_FAILED, `model "${model.id}" has no output "${output}" (has ${this.session.outputNames.join(", ")})`);
    this.log.info({ model: model.id, threads: this.options.threads }, "face embedder loaded");
  }

  async stop(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    await session?.release();
  }

  /**
   * One aligned rgb24 crop (the template's size) -> its L2-normalised embedding. Calls are serialised: the
   * recogniser and enrolment share one session and its input buffer.
   */
  embed(crop: Uint8Array): Promise<Float32Array> {
    const run = this.serial.then(() => this.embedNow(crop));
    this.serial = run.catch(() => undefined);
    return run;
  }

  private async embedNow(crop: Uint8Array): Promise<Float32Array> {
    const session = this.session;
    if (!session) throw new VigilError(ErrorCodes.INFERENCE_FAILED, "face embedder is not loaded");
    const { model } = this.options;
    cropToTensor(crop, this.template.size, model.input, this.input);
    const t0 = performance.now();
    const out = await session.run({ [model.input.name]: new ort.Tensor("float32", this.input, model.input.shape) });
    this.totalMs += performance.now() - t0;
    this.runs += 1;
    const data = out[model.outputs[0] ?? ""]?.data;
    if (!(data instanceof Float32Array) || data.length === 0) throw new VigilError(ErrorCodes.INFERENCE_FAILED, `model "${model.id}" returned no float embedding`);
    try {
      return l2Normalise(Float32Array.from(data));
    } catch (err) {
      throw new VigilError(ErrorCodes.INFERENCE_FAILED, `model "${model.id}" returned an unusable embedding: ${(err as Error).message}`, { cause: err });
    }
  }
}
