import { join } from "node:path";
import { ErrorCodes, VigilError } from "../../core/errors.js";
import type { Logger } from "../../core/logger.js";
import type { OutputTensor } from "../decoders/types.js";
import type { InputEncoding } from "../model-input.js";
import { type ModelEntry, verifyModelFile } from "../model-manifest.js";
import { type ProviderChange, ProviderChain, type ProviderStatus } from "./provider-chain.js";
import type { ProviderHealthPolicy } from "./provider-health.js";
import type { ProviderSpec } from "./provider-session.js";
import type { ProviderBackend } from "./worker-protocol.js";

export interface DetectorStats {
  readonly runs: number;
  readonly lastMs: number | undefined;
  readonly meanMs: number | undefined;
}

export interface ModelRunnerOptions {
  readonly modelsDir: string;
  readonly model: ModelEntry;
  readonly providers: readonly ProviderSpec[];
  readonly deadlineMs: number;
  readonly policy?: ProviderHealthPolicy;
  readonly onProviderChange?: (change: ProviderChange) => void;
}

/** The manifest's input block as the worker needs it (a plain object: it is posted to the thread). */
function inputEncoding(model: ModelEntry): InputEncoding {
  const { layout, color, scale, offset, mean, std } = model.input;
  return { layout, color, scale, offset, mean, std };
}

/** Provider specs from config: one per backend, each with the configured thread count. */
export function providerSpecs(backends: readonly ProviderBackend[], threads: number): ProviderSpec[] {
  return backends.map((backend) => ({ id: backend, backend, threads }));
}

/**
 * A manifest model behind a provider chain: checks the file against the manifest's sha256 at
 * start (a swapped or truncated file is a configuration error), then loads it on each provider.
 * A provider that cannot load it is reported, not fatal: the daemon stays up and says so.
 * Callers may overlap (the scheduler sends the next frame while one runs, the recogniser embeds
 * a frame's faces together): each call holds one of the chain's frame slots until its run,
 * failover included, is over, and waits for one when all are taken.
 */
export class ModelRunner {
  readonly chain: ProviderChain;
  private runs = 0;
  private totalMs = 0;
  private lastMs: number | undefined;
  private readonly freeFrames: number[];
  private readonly waitingForFrame: Array<(slot: number) => void> = [];

  constructor(
    private readonly options: ModelRunnerOptions,
    log: Logger,
  ) {
    const { model } = options;
    this.chain = new ProviderChain(
      {
        modelId: model.id,
        providers: options.providers,
        deadlineMs: options.deadlineMs,
        policy: options.policy,
        onChange: options.onProviderChange,
      },
      {
        path: join(options.modelsDir, model.file),
        inputName: model.input.name,
        inputShape: model.input.shape,
        encoding: inputEncoding(model),
        outputs: model.outputs,
      },
      log,
    );
    this.freeFrames = this.chain.frames.map((_, i) => i);
  }

  get loaded(): boolean {
    return this.chain.loaded;
  }

  get stats(): DetectorStats {
    return { runs: this.runs, lastMs: this.lastMs, meanMs: this.runs > 0 ? this.totalMs / this.runs : undefined };
  }

  providers(): ProviderStatus[] {
    return this.chain.status();
  }

  async start(): Promise<void> {
    await verifyModelFile(this.options.modelsDir, this.options.model);
    await this.chain.load();
  }

  async stop(): Promise<void> {
    await this.chain.close();
  }

  /**
   * Runs the model on an rgb24 image of its input size; the time is the inference itself, as the
   * provider measured it.
   */
  async run(rgb: Uint8Array): Promise<{ outputs: OutputTensor[]; provider: string; ms: number }> {
    const slot = this.freeFrames.pop() ?? (await new Promise<number>((resolve) => this.waitingForFrame.push(resolve)));
    try {
      const frame = this.chain.frames[slot];
      if (!frame || frame.length !== rgb.length)
        throw new VigilError(
          ErrorCodes.INFERENCE_FAILED,
          `image has ${rgb.length} bytes, model ${this.options.model.id} takes ${frame?.length}`,
        );
      frame.set(rgb);
      const r = await this.chain.run(slot);
      this.runs += 1;
      this.totalMs += r.ms;
      this.lastMs = r.ms;
      return r;
    } finally {
      const next = this.waitingForFrame.shift();
      if (next) next(slot);
      else this.freeFrames.push(slot);
    }
  }
}
