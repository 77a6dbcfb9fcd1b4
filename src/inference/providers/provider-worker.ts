// One model session on one execution provider, in its own thread. onnxruntime-node runs
// inference synchronously on the calling thread, so in the main thread a slow or stuck run would
// freeze HTTP, ingest and every deadline timer with it; here it freezes only this worker.
import { parentPort } from "node:worker_threads";
import * as ort from "onnxruntime-node";
import { readFile } from "node:fs/promises";
import { frameShape, withUint8Input } from "../convert/uint8-input.js";
import type { FromWorker, LoadRequest, ToWorker, WireTensor } from "./worker-protocol.js";

// ORT prints provider-library load failures to stderr on its own; the provider reports them.
ort.env.logLevel = "fatal";

let session: ort.InferenceSession | undefined;
let spec: LoadRequest | undefined;
/**
 * One per frame slot: the shared rgb24 frame the main thread writes, and the model's input, a
 * private copy of it (the graph starts by rearranging and normalising it, withUint8Input). The
 * binding refuses SharedArrayBuffer-backed tensors, hence the copy; one per slot, so a frame
 * arriving while the previous one runs never touches the tensor ORT is reading.
 */
interface Slot {
  readonly frame: Uint8Array;
  readonly input: Uint8Array;
  readonly tensor: ort.Tensor;
}
let slots: Slot[] = [];
// Runs one at a time: both slots share the session's thread pool.
let queue: Promise<unknown> = Promise.resolve();

const reply = (m: FromWorker, transfer: ArrayBuffer[] = []): void => parentPort?.postMessage(m, transfer);
const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

async function runOnce(tensor: ort.Tensor): Promise<{ outputs: WireTensor[]; transfer: ArrayBuffer[]; ms: number }> {
  if (!session || !spec) throw new Error("no session loaded");
  const t0 = performance.now();
  const out = await session.run({ [spec.inputName]: tensor }, [...spec.outputs]);
  const ms = performance.now() - t0;
  const outputs: WireTensor[] = [];
  const transfer: ArrayBuffer[] = [];
  for (const name of spec.outputs) {
    const t = out[name];
    if (!t || !(t.data instanceof Float32Array)) throw new Error(`output ${name} is missing or not float32`);
    outputs.push({ data: t.data, dims: [...t.dims] });
    if (t.data.buffer instanceof ArrayBuffer) transfer.push(t.data.buffer);
  }
  return { outputs, transfer, ms };
}

async function load(req: LoadRequest): Promise<void> {
  const t0 = performance.now();
  try {
    const model = withUint8Input(await readFile(req.modelPath), {
      name: req.inputName,
      shape: req.inputShape,
      encoding: req.encoding,
    });
    session = await ort.InferenceSession.create(model, {
      executionProviders: [req.backend],
      intraOpNumThreads: req.threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: "all",
      logSeverityLevel: 3,
      // ORT's pool threads otherwise spin for a while after every run. Cameras send a frame every
      // 100-200 ms, so they would spin through most of each gap: measured on NanoDet, 2 threads,
      // 50 ms gaps, 59 ms of CPU per frame with spinning against 26 ms with it stopped, at the
      // same latency. That CPU belongs to ffmpeg on a small box (docs/performance.md).
      extra: { session: { force_spinning_stop: "1" } },
    });
    const missing = req.outputs.filter((o) => !session?.outputNames.includes(o));
    if (!session.inputNames.includes(req.inputName))
      throw new Error(`model has no input ${req.inputName} (has ${session.inputNames.join(", ")})`);
    if (missing.length > 0) throw new Error(`model lacks outputs ${missing.join(", ")}`);
    spec = req;
    const shape = frameShape({ shape: req.inputShape, encoding: req.encoding });
    slots = req.frames.map((shared) => {
      const input = new Uint8Array(shared.byteLength);
      return { frame: new Uint8Array(shared), input, tensor: new ort.Tensor("uint8", input, shape) };
    });
    const loadMs = performance.now() - t0;
    // Warm-up on zeros: the first run allocates and plans, and must not land on a real frame.
    const first = slots[0];
    if (!first) throw new Error("no frame slots");
    const warm = await runOnce(first.tensor);
    reply({ kind: "loaded", loadMs, warmupMs: warm.ms });
  } catch (err) {
    session = undefined;
    reply({ kind: "load-failed", error: message(err) });
  }
}

async function run(id: number, index: number): Promise<void> {
  try {
    const slot = slots[index];
    if (!slot || !spec) throw new Error(session ? `no frame slot ${index}` : "no session loaded");
    slot.input.set(slot.frame);
    const r = await runOnce(slot.tensor);
    reply({ kind: "result", id, outputs: r.outputs, ms: r.ms }, r.transfer);
  } catch (err) {
    reply({ kind: "run-failed", id, error: message(err) });
  }
}

parentPort?.on("message", (m: ToWorker) => {
  if (m.kind === "load") void load(m);
  else queue = queue.then(() => run(m.id, m.slot));
});
