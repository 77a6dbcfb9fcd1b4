import type { Frame } from "../contract/detection.js";
import { ErrorCodes, VigilError } from "../core/errors.js";
import type { Component } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import { computeLetterbox, type Letterbox } from "../core/letterbox.js";
import type { OutputTensor } from "./decoders/types.js";
import { type DetectorStats, ModelRunner, type ModelRunnerOptions } from "./providers/model-runner.js";
import type { ProviderStatus } from "./providers/provider-chain.js";

/**
 * What every detector shares: a manifest model behind the provider chain, fed with frames of its
 * input size, preprocessed as the manifest's input block says. Subclasses decode the outputs.
 */
export abstract class ModelDetector implements Component {
  abstract readonly name: string;
  readonly inputWidth: number;
  readonly inputHeight: number;
  protected readonly runner: ModelRunner;
  private letterbox: Letterbox | undefined;

  protected constructor(
    options: ModelRunnerOptions,
    input: { readonly width: number; readonly height: number },
    log: Logger,
  ) {
    this.inputWidth = input.width;
    this.inputHeight = input.height;
    this.runner = new ModelRunner(options, log);
  }

  /** At least one provider has the model loaded and warmed up. */
  get loaded(): boolean {
    return this.runner.loaded;
  }

  get stats(): DetectorStats {
    return this.runner.stats;
  }

  providers(): ProviderStatus[] {
    return this.runner.providers();
  }

  /** The provider the next frame goes to, if any can take it. */
  get provider(): string | undefined {
    return this.runner.chain.active;
  }

  async start(): Promise<void> {
    await this.runner.start();
  }

  async stop(): Promise<void> {
    await this.runner.stop();
  }

  /** Runs the frame on the first provider that can; calls may overlap (the runner queues them). */
  protected async infer(frame: Frame): Promise<{ outputs: OutputTensor[]; provider: string; ms: number }> {
    if (frame.width !== this.inputWidth || frame.height !== this.inputHeight) {
      throw new VigilError(
        ErrorCodes.INFERENCE_FAILED,
        `frame is ${frame.width}x${frame.height}, detector expects ${this.inputWidth}x${this.inputHeight}`,
      );
    }
    return this.runner.run(frame.rgb);
  }

  /** The frame's letterbox geometry; cameras rarely change size, so the last one is kept. */
  protected letterboxFor(frame: Frame): Letterbox | undefined {
    const src = frame.source;
    if (!src) return undefined;
    const lb = this.letterbox;
    if (lb && lb.srcWidth === src.width && lb.srcHeight === src.height) return lb;
    this.letterbox = computeLetterbox(src.width, src.height, this.inputWidth, this.inputHeight);
    return this.letterbox;
  }
}
