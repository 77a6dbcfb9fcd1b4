import { ErrorCodes, VigilError } from "../../core/errors.js";
import type { Component } from "../../core/lifecycle.js";
import type { Logger } from "../../core/logger.js";
import type { ModelEntry } from "../model-manifest.js";
import { ModelRunner, type ModelRunnerOptions } from "../providers/model-runner.js";
import type { ProviderStatus } from "../providers/provider-chain.js";
import { type FaceTemplate, faceTemplate } from "./face-templates.js";
import { l2Normalise } from "./embedding-math.js";

export type FaceEmbedderOptions = ModelRunnerOptions;

/**
 * The model's face template, checked against its input: one RGB image of the template's size,
 * NHWC or NCHW. A mismatch is a manifest error, found before anything is loaded.
 */
export function embeddingTemplate(model: ModelEntry): FaceTemplate {
  const template = faceTemplate(model.input.align);
  const size = template.size;
  const [n, a, b, c] = model.input.shape;
  const ok =
    model.task === "face-embedding" &&
    n === 1 &&
    (model.input.layout === "NHWC" ? a === size && b === size && c === 3 : a === 3 && b === size && c === size);
  if (!ok) {
    throw new VigilError(
      ErrorCodes.MANIFEST_INVALID,
      `model "${model.id}" is not a face-embedding model taking one ${size}x${size} RGB image (its face template, input.align, is "${model.input.align ?? "arcface-112"}")`,
    );
  }
  return template;
}

/**
 * Turns an aligned face (the model's template size) into a unit-length embedding. The model runs
 * behind its own provider chain, like the detectors: in a worker thread (a slow run never holds
 * the event loop), with the manifest's normalisation baked in, deadlines, health and failover.
 * The file is checked against the manifest's sha256 at start; a provider that cannot load it is
 * reported (the watchlist then says it is unavailable), not fatal.
 */
export class FaceEmbedder implements Component {
  readonly name = "face-embedder";
  /** Where faces must be aligned for this model; callers align with it before embed(). */
  readonly template: FaceTemplate;
  private readonly runner: ModelRunner;

  constructor(
    private readonly options: FaceEmbedderOptions,
    private readonly log: Logger,
  ) {
    this.template = embeddingTemplate(options.model);
    this.runner = new ModelRunner(options, log);
  }

  /** At least one provider has the model loaded. */
  get loaded(): boolean {
    return this.runner.loaded;
  }

  get modelId(): string {
    return this.options.model.id;
  }

  get stats(): { runs: number; meanMs: number | undefined } {
    const { runs, meanMs } = this.runner.stats;
    return { runs, meanMs };
  }

  providers(): ProviderStatus[] {
    return this.runner.providers();
  }

  async start(): Promise<void> {
    await this.runner.start();
    if (this.loaded) this.log.info({ model: this.options.model.id }, "face embedder loaded");
  }

  async stop(): Promise<void> {
    await this.runner.stop();
  }

  /** One aligned rgb24 crop (the template's size) -> its L2-normalised embedding. Calls may overlap. */
  async embed(crop: Uint8Array): Promise<Float32Array> {
    const { model } = this.options;
    const { outputs } = await this.runner.run(crop);
    const data = outputs[0]?.data;
    if (!(data instanceof Float32Array) || data.length === 0)
      throw new VigilError(ErrorCodes.INFERENCE_FAILED, `model "${model.id}" returned no float embedding`);
    try {
      return l2Normalise(data);
    } catch (err) {
      throw new VigilError(
        ErrorCodes.INFERENCE_FAILED,
        `model "${model.id}" returned an unusable embedding: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
}
