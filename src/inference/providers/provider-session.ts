import { Worker } from "node:worker_threads";
import { ErrorCodes, VigilError } from "../../core/errors.js";
import type { OutputTensor } from "../decoders/types.js";
import type { FromWorker, LoadRequest, ProviderBackend } from "./worker-protocol.js";

export interface ProviderSpec {
  /** Unique within a chain; the backend name unless one backend appears twice. */
  readonly id: string;
  readonly backend: ProviderBackend;
  readonly threads: number;
}

export interface SessionModel {
  readonly path: string;
  readonly inputName: string;
  readonly inputShape: readonly number[];
  readonly outputs: readonly string[];
}

// Creating a CUDA session can take long on first use (kernel caches); a load that never answers
// still has to end.
const LOAD_DEADLINE_MS = 120_000;

/**
 * One model on one execution provider, run in a worker thread so a deadline can fire while
 * inference is in progress. A run past its deadline terminates the worker (native code cannot be
 * interrupted, so the thread is abandoned rather than waited for) and the session must be loaded
 * again before the next use.
 */
export class ProviderSession {
  private worker: Worker | undefined;
  private state: "idle" | "loading" | "loaded" = "idle";
  private pending: { id: number; resolve: (m: FromWorker) => void; reject: (err: Error) => void } | undefined;
  private nextId = 0;
  loadMs: number | undefined;
  warmupMs: number | undefined;

  constructor(
    readonly spec: ProviderSpec,
    private readonly model: SessionModel,
    private readonly input: SharedArrayBuffer,
  ) {}

  get loaded(): boolean {
    return this.state === "loaded";
  }

  get loading(): boolean {
    return this.state === "loading";
  }

  /** A run is in flight. */
  get busy(): boolean {
    return this.pending !== undefined;
  }

  /** Spawns the worker and loads the model, warm-up included; throws MODEL_LOAD_FAILED. */
  async load(): Promise<void> {
    this.discard();
    this.state = "loading";
    const worker = new Worker(new URL("./provider-worker.js", import.meta.url));
    this.worker = worker;
    worker.on("message", (m: FromWorker) => this.onMessage(m));
    worker.on("error", (err) => this.onGone(worker, `worker failed: ${err.message}`));
    worker.on("exit", (code) => this.onGone(worker, `worker exited with code ${code}`));
    const req: LoadRequest = {
      kind: "load",
      modelPath: this.model.path,
      backend: this.spec.backend,
      threads: this.spec.threads,
      inputName: this.model.inputName,
      inputShape: this.model.inputShape,
      outputs: this.model.outputs,
      input: this.input,
    };
    try {
      const reply = await this.request(-1, LOAD_DEADLINE_MS, () => worker.postMessage(req));
      if (reply.kind !== "loaded") throw new Error(reply.kind === "load-failed" ? reply.error : `unexpected ${reply.kind}`);
      this.loadMs = reply.loadMs;
      this.warmupMs = reply.warmupMs;
      this.state = "loaded";
    } catch (err) {
      this.discard();
      throw new VigilError(ErrorCodes.MODEL_LOAD_FAILED, `provider ${this.spec.id}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** One inference on the shared input; throws INFERENCE_TIMEOUT past the deadline, else INFERENCE_FAILED. */
  async run(deadlineMs: number): Promise<{ outputs: OutputTensor[]; ms: number }> {
    const worker = this.worker;
    if (!worker || this.state !== "loaded") throw new VigilError(ErrorCodes.INFERENCE_FAILED, `provider ${this.spec.id} has no session loaded`);
    if (this.pending) throw new VigilError(ErrorCodes.INFERENCE_FAILED, `provider ${this.spec.id} is busy`);
    const id = this.nextId++;
    let reply: FromWorker;
    try {
      reply = await this.request(id, deadlineMs, () => worker.postMessage({ kind: "run", id }));
    } catch (err) {
      if (err instanceof VigilError) throw err;
      throw new VigilError(ErrorCodes.INFERENCE_FAILED, `provider ${this.spec.id}: ${(err as Error).message}`, { cause: err });
    }
    if (reply.kind === "result") return { outputs: [...reply.outputs], ms: reply.ms };
    throw new VigilError(ErrorCodes.INFERENCE_FAILED, `provider ${this.spec.id}: ${reply.kind === "run-failed" ? reply.error : `unexpected ${reply.kind}`}`);
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.state = "idle";
    this.pending?.reject(new Error("provider closed"));
    await worker?.terminate();
  }

  private request(id: number, deadlineMs: number, send: () => void): Promise<FromWorker> {
    return new Promise<FromWorker>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        // The worker may be stuck in native code: let it go and start clean next time.
        this.discard();
        reject(new VigilError(ErrorCodes.INFERENCE_TIMEOUT, `provider ${this.spec.id} did not answer within ${deadlineMs} ms`));
      }, deadlineMs);
      this.pending = {
        id,
        resolve: (m) => {
          clearTimeout(timer);
          this.pending = undefined;
          resolve(m);
        },
        reject: (err) => {
          clearTimeout(timer);
          this.pending = undefined;
          reject(err);
        },
      };
      send();
    });
  }

  private onMessage(m: FromWorker): void {
    const p = this.pending;
    const id = m.kind === "result" || m.kind === "run-failed" ? m.id : -1;
    if (p && p.id === id) p.resolve(m);
  }

  private onGone(worker: Worker, reason: string): void {
    if (worker !== this.worker) return;
    this.worker = undefined;
    this.state = "idle";
    this.pending?.reject(new Error(reason));
  }

  private discard(): void {
    const worker = this.worker;
    this.worker = undefined;
    this.state = "idle";
    if (worker) void worker.terminate().catch(() => undefined);
  }
}
