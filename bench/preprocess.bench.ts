/**
 * Preprocessing cost per frame: rgb24 (HWC, uint8) -> the model's float tensor, at 640x640 (the
 * goal is under 3 ms) and 416x416 (NanoDet). The daemon's way: the worker copies the frame into
 * the session's uint8 input and the model's first nodes (Transpose, Gather, Cast, Mul, Add, added
 * by withUint8Input) rearrange and normalise it; those nodes are timed here as their own ONNX
 * Runtime session writing into a preallocated output, as inside the model. Baselines in
 * the same run: the lookup-table float conversion in JavaScript the daemon used before, and the
 * older per-pixel arithmetic.
 */
import * as ort from "onnxruntime-node";
import { hostTensor } from "../src/inference/convert/host-tensor.js";
import { OnnxGraphWriter } from "../src/inference/convert/onnx-writer.js";
import { frameShape, normalisationModel, withUint8Input } from "../src/inference/convert/uint8-input.js";
import type { InputEncoding } from "../src/inference/model-input.js";
import { pixelTables, rgbToTensor, rgbToTensorData } from "../test/helpers/float-preprocess.js";
import { fmt, median, percentile } from "./stats.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 300);
const NANODET: InputEncoding = {
  layout: "NCHW",
  color: "BGR",
  scale: 1,
  offset: 0,
  mean: [103.53, 116.28, 123.675],
  std: [57.375, 57.12, 58.395],
};
const BLAZEFACE: InputEncoding = { layout: "NHWC", color: "RGB", scale: 1 / 127.5, offset: -1 };

function frame(side: number): Uint8Array {
  const rgb = new Uint8Array(side * side * 3);
  // Not constant, so no branch or cache effect flatters the loop.
  for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 2654435761) >>> 24;
  return rgb;
}

async function measure(work: () => unknown): Promise<{ p50: number; p90: number }> {
  for (let i = 0; i < 20; i++) await work();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await work();
    samples.push(performance.now() - t0);
  }
  return { p50: median(samples), p90: percentile(samples, 90) };
}

/** The in-graph half: ORT running just the normalisation, with the thread count the detector uses. */
async function normaliser(
  side: number,
  enc: InputEncoding,
): Promise<{ run: (bytes: Uint8Array) => Promise<unknown>; release: () => Promise<void> }> {
  const shape = enc.layout === "NCHW" ? [1, 3, side, side] : [1, side, side, 3];
  const session = await ort.InferenceSession.create(normalisationModel({ shape, encoding: enc }), {
    executionProviders: ["cpu"],
    intraOpNumThreads: 2,
    logSeverityLevel: 3,
  });
  const input = frameShape({ shape, encoding: enc });
  // Into a tensor allocated once, as inside a model ORT writes into buffers it reuses: a fresh
  // 5 MB output per run would time page faults, not the nodes.
  const output = new ort.Tensor("float32", new Float32Array(side * side * 3), shape);
  return {
    run: (bytes) => session.run({ image: new ort.Tensor("uint8", bytes, input) }, { tensor: output }),
    release: () => session.release(),
  };
}

console.log(
  `preprocess bench: ${RUNS} runs after 20 warm-up, median / p90 ms, onnxruntime-node ${ort.env.versions.common}`,
);
console.log("size      encoding   step                                      p50      p90");
for (const side of [640, 416]) {
  const rgb = frame(side);
  const out = new Float32Array(rgb.length);
  const bytes = new Uint8Array(rgb.length);
  for (const [name, enc] of [
    ["NanoDet", NANODET],
    ["BlazeFace", BLAZEFACE],
  ] as const) {
    const graph = await normaliser(side, enc);
    const tables = pixelTables(enc);
    const rows: Array<[string, () => unknown]> = [
      ["daemon: frame copy into the input (JS)", () => bytes.set(rgb)],
      ["daemon: the added nodes (ORT, alone)", () => graph.run(bytes)],
      ["baseline: float tensor by tables (JS)", () => rgbToTensor(rgb, out, tables)],
    ];
    if (enc.layout === "NHWC")
      rows.push([
        "baseline: per-pixel arithmetic (JS)",
        () => rgbToTensorData(rgb, out, enc.scale, enc.offset, enc.color === "BGR"),
      ]);
    for (const [step, work] of rows) {
      const r = await measure(work);
      console.log(
        `${`${side}x${side}`.padEnd(10)}${name.padEnd(11)}${step.padEnd(40)}${fmt(r.p50, 3).padStart(7)}  ${fmt(r.p90, 3).padStart(7)}`,
      );
    }
    await graph.release();
  }
}

/**
 * Where the nodes really sit: in front of a model's first convolutions. A synthetic model of two
 * 3x3 stride-2 convolutions (3->16->32 channels), float input vs the same model with the uint8
 * frame input baked in, alternating rounds; the difference is what the baked input costs a model.
 */
function twoConvs(side: number): Uint8Array {
  const w = new OnnxGraphWriter();
  w.claim("x");
  const k1 = w.initializer(
    "k1",
    hostTensor(
      "float32",
      [16, 3, 3, 3],
      Array.from({ length: 432 }, (_, i) => Math.sin(i)),
    ),
  );
  const k2 = w.initializer(
    "k2",
    hostTensor(
      "float32",
      [32, 16, 3, 3],
      Array.from({ length: 4608 }, (_, i) => Math.cos(i) / 10),
    ),
  );
  const conv = { kernel_shape: { ints: [3, 3] }, strides: { ints: [2, 2] }, pads: { ints: [1, 1, 1, 1] } };
  const first = w.op("Relu", [w.op("Conv", ["x", k1], "c1", conv)], "r1");
  w.node("Conv", [first, k2], ["y"], conv);
  return w.encode(
    "two-convs",
    [{ name: "x", dtype: "float32", shape: [1, 3, side, side] }],
    [{ name: "y", dtype: "float32" }],
    "vigil bench",
  );
}

console.log(
  "\nin front of two convolutions (NCHW), median ms of 30 alternating rounds of 10 (after 2 warm-up rounds):",
);
console.log("size      encoding   float input  uint8 baked  difference");
for (const side of [640, 416]) {
  for (const [name, enc] of [
    ["NanoDet", NANODET],
    ["YOLO /255", { layout: "NCHW", color: "RGB", scale: 1 / 255, offset: 0 } as InputEncoding],
  ] as const) {
    const shape = [1, 3, side, side];
    const model = twoConvs(side);
    const options = { executionProviders: ["cpu"], intraOpNumThreads: 2, logSeverityLevel: 3 } as const;
    const plain = await ort.InferenceSession.create(model, options);
    const baked = await ort.InferenceSession.create(
      withUint8Input(model, { name: "x", shape, encoding: enc }),
      options,
    );
    const float = new ort.Tensor(
      "float32",
      rgbToTensor(frame(side), new Float32Array(3 * side * side), pixelTables(enc)),
      shape,
    );
    const bytes = new ort.Tensor("uint8", frame(side), frameShape({ shape, encoding: enc }));
    const a: number[] = [];
    const b: number[] = [];
    for (let round = 0; round < 32; round++) {
      for (let i = 0; i < 10; i++) {
        let t0 = performance.now();
        await plain.run({ x: float });
        if (round >= 2) a.push(performance.now() - t0);
        t0 = performance.now();
        await baked.run({ x: bytes });
        if (round >= 2) b.push(performance.now() - t0);
      }
    }
    console.log(
      `${`${side}x${side}`.padEnd(10)}${name.padEnd(11)}${fmt(median(a), 2).padStart(11)}  ${fmt(median(b), 2).padStart(11)}  ${fmt(median(b) - median(a), 2).padStart(10)}`,
    );
    await plain.release();
    await baked.release();
  }
}
