import { Worker } from "node:worker_threads";
import { ErrorCodes, VigilError } from "../../core/errors.js";
import type { OutputTensor } from "../decoders/types.js";
import type { InputEncoding } from "../model-input.js";
import type { FromWorker, LoadRequest, ProviderBackend } from "./worker-protocol.js";

export interface ProviderSpec {
  /** Unique within a chain; the backend name unless one backend appears twice. */
  readonly id: string;
  readonly backend: ProviderBackend;
  readonly threads: number;
  /** Overrides the chain's deadline for this provider (a GPU can be held to a tighter one). */
  readonly deadlineMs?: number | undefined;
}

export interface SessionModel {
  readonly path: string;
  readonly inputName: string;
  readonly inputShape: readonly number[];
  readonly encoding: InputEncoding;
  readonly outputs: readonly string[];
}

// Creating a CUDA session can take long on first use (kernel caches); a load that never answers
// still has to end.
const LOAD_DEADLINE_MS = 120_000;
// How long stop() waits for a run or load in flight before leaving its thread behind.
const CLOSE_WAIT_MS = 5_000;

interface Job {
  readonly id: number;
  /** Settles when the worker answers, however late. */
  readonly done: Promise<void>;
  /** Past its deadline: the caller has given up on it, the worker has not finished it. */
  overdue: boolean;
  answer(m: FromWorker): void;
  fail(reason: string): void;
}

/**
 * One model on one execution provider, run in a worker thread so a deadline can fire while
 * inference is in progress. Runs on different frame slots may be sent while one is in progress:
 * the worker takes them in order, so the next frame is already waiting when the current one ends.
 * A worker must never be terminated while ORT is inside native code (the binding aborts the whole
 * process when the late result meets a torn-down thread), so a run past its deadline is abandoned
 * by its caller but left to finish: until it does, the session takes no new runs. A thread stuck
 * for good is unref'd at stop so it cannot hold the process.
 */
export class ProviderSession {
  private worker: Worker | undefined;
  private state: "idle" | "loading" | "loaded" = "idle";
  /** Sent and not answered yet, oldest first (the load's id is -1). */
  private readonly jobs = new Map<number, Job>();
  private nextId = 0;
  loadMs: number | undefined;
  warmupMs: number | undefined;

  constructor(
    readonly spec: ProviderSpec,
    private readonly model: SessionModel,
    private readonly frames: readonly SharedArrayBuffer[],
  ) {}

  get loaded(): boolean {
    return this.state === "loaded";
  }

  get loading(): boolean {
    return this.state === "loading";
  }

  /** The worker is still on a run or load, possibly one whose caller gave up on it. */
  get busy(): boolean {
    return this.jobs.size > 0;
  }

  /** Spawns the worker and loads the model, warm-up included; throws MODEL_LOAD_FAILED. */
  async load(): Promise<void> {
    if (this.busy) throw new VigilError(ErrorCodes.MODEL_LOAD_FAILED, `provider ${this.spec.id} is busy`);
    await this.retire();
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
      encoding: this.model.encoding,
      frames: this.frames,
    };
    try {
      const reply = await this.request(-1, LOAD_DEADLINE_MS, () => worker.postMessage(req));
      if (reply.kind !== "loaded")
        throw new Error(reply.kind === "load-failed" ? reply.error : `unexpected ${reply.kind}`);
      this.loadMs = reply.loadMs;
      this.warmupMs = reply.warmupMs;
      this.state = "loaded";
    } catch (err) {
      this.state = "idle";
      await this.retire();
      throw new VigilError(ErrorCodes.MODEL_LOAD_FAILED, `provider ${this.spec.id}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  /**
   * One inference on a shared frame slot; throws INFERENCE_TIMEOUT past the deadline (counted from
   * now, so it includes waiting behind a run already in the worker), else INFERENCE_FAILED.
   */
  async run(deadlineMs: number, slot: number): Promise<{ outputs: OutputTensor[]; ms: number }> {
    const worker = this.worker;
    if (!worker || this.state !== "loaded")
      throw new VigilError(ErrorCodes.INFERENCE_FAILED, `provider ${this.spec.id} has no session loaded`);
    if ([...this.jobs.values()].some((j) => j.overdue))
      throw new VigilError(
        ErrorCodes.INFERENCE_TIMEOUT,
        `provider ${this.spec.id} is still on an earlier run past its deadline`,
      );
    const id = this.nextId++;
    let reply: FromWorker;
    try {
      reply = await this.request(id, deadlineMs, () => worker.postMessage({ kind: "run", id, slot }));
    } catch (err) {
      if (err instanceof VigilError) throw err;
      throw new VigilError(ErrorCodes.INFERENCE_FAILED, `provider ${this.spec.id}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    if (reply.kind === "result") return { outputs: [...reply.outputs], ms: reply.ms };
    throw new VigilError(
      ErrorCodes.INFERENCE_FAILED,
      `provider ${this.spec.id}: ${reply.kind === "run-failed" ? reply.error : `unexpected ${reply.kind}`}`,
    );
  }

  async close(): Promise<void> {
    this.state = "idle";
    await this.retire();
  }

  /**
   * The caller's answer, bounded by the deadline; the job itself stays open until the worker
   * replies, which is what keeps `busy` true for an overdue run.
   */
  private request(id: number, deadlineMs: number, send: () => void): Promise<FromWorker> {
    return new Promise<FromWorker>((resolve, reject) => {
      let finished = false;
      const sentAt = performance.now();
      let settle!: () => void;
      const done = new Promise<void>((r) => (settle = r));
      const timedOut = (): void => {
        finished = true;
        reject(
          new VigilError(
            ErrorCodes.INFERENCE_TIMEOUT,
            `provider ${this.spec.id} did not answer within ${deadlineMs} ms`,
          ),
        );
      };
      const timer = setTimeout(() => {
        job.overdue = true;
        timedOut();
      }, deadlineMs);
      const end = (): void => {
        clearTimeout(timer);
        this.jobs.delete(id);
        settle();
      };
      const job: Job = {
        id,
        done,
        overdue: false,
        answer: (m) => {
          end();
          if (finished) return;
          // A reply handled after the deadline is late even if the timer has not fired yet: when
          // this thread was busy past both, the event loop may take the message first.
          if (performance.now() - sentAt > deadlineMs) timedOut();
          else resolve(m);
        },
        fail: (reason) => {
          end();
          if (!finished) reject(new Error(reason));
        },
      };
      this.jobs.set(id, job);
      send();
    });
  }

  private onMessage(m: FromWorker): void {
    const id = m.kind === "result" || m.kind === "run-failed" ? m.id : -1;
    this.jobs.get(id)?.answer(m);
  }

  private onGone(worker: Worker, reason: string): void {
    if (worker !== this.worker) return;
    this.worker = undefined;
    this.state = "idle";
    for (const job of [...this.jobs.values()]) job.fail(reason);
  }

  /** Ends the current worker once it is idle; one that stays stuck is unref'd and left behind. */
  private async retire(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    if (this.busy) {
      const done = Promise.all([...this.jobs.values()].map((j) => j.done));
      const idle = await Promise.race([
        done.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), CLOSE_WAIT_MS).unref()),
      ]);
      if (!idle) {
        worker.unref();
        return;
      }
    }
    await worker.terminate();
  }
}
