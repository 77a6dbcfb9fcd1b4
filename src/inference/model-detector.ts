import type { Frame } from "../contract/detection.js";
import { ErrorCodes, VigilError } from "../core/errors.js";
import type { Component } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import { computeLetterbox, type Letterbox } from "../ingest/letterbox.js";
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
  private readonly freeFrames: number[];
  private readonly waitingForFrame: Array<(slot: number) => void> = [];

  protected constructor(options: ModelRunnerOptions, input: { readonly width: number; readonly height: number }, log: Logger) {
    this.inputWidth = input.width;
    this.inputHeight = input.height;
    this.runner = new ModelRunner(options, log);
    this.freeFrames = this.runner.frames.map((_, i) => i);
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

  /**
   * Hands the frame to the provider chain, which runs it on the first provider that can. Callers
   * may overlap (the scheduler sends the next frame while one runs); each call holds a frame slot
   * until its run, failover included, is over, and waits for one when both are taken.
   */
  protected async infer(frame: Frame): Promise<{ outputs: OutputTensor[]; provider: string; ms: number }> {
    if (frame.width !== this.inputWidth || frame.height !== this.inputHeight) {
      throw new VigilError(ErrorCodes.INFERENCE_FAILED, `frame is ${frame.width}x${frame.height}, detector expects ${this.inputWidth}x${this.inputHeight}`);
    }
    const slot = this.freeFrames.pop() ?? (await new Promise<number>((resolve) => this.waitingForFrame.push(resolve)));
    try {
      this.runner.frames[slot]?.set(frame.rgb);
      return await this.runner.run(slot);
    } finally {
      const next = this.waitingForFrame.shift();
      if (next) next(slot);
      else this.freeFrames.push(slot);
    }
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
