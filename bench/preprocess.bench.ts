/**
 * Preprocessing cost per frame: rgb24 (HWC, uint8) -> float32 tensor, at 640x640 (the goal is
 * under 3 ms) and 416x416 (NanoDet), NCHW with BGR and per-channel mean/std (NanoDet's encoding)
 * and NHWC with scale/offset (BlazeFace's), against the older per-pixel arithmetic path.
 */
import { pixelTables, rgbToTensor, rgbToTensorData } from "../src/inference/preprocess.js";
import { fmt, median, percentile } from "./stats.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 300);
const NANODET = { layout: "NCHW", color: "BGR", scale: 1, offset: 0, mean: [103.53, 116.28, 123.675], std: [57.375, 57.12, 58.395] } as const;
const BLAZEFACE = { layout: "NHWC", color: "RGB", scale: 1 / 127.5, offset: -1 } as const;

function frame(side: number): Uint8Array {
  const rgb = new Uint8Array(side * side * 3);
  // Not constant, so no branch or cache effect flatters the loop.
  for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 2654435761) >>> 24;
  return rgb;
}

function measure(work: () => void): { p50: number; p90: number } {
  for (let i = 0; i < 20; i++) work();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    work();
    samples.push(performance.now() - t0);
  }
  return { p50: median(samples), p90: percentile(samples, 90) };
}

console.log(`preprocess bench: ${RUNS} runs after 20 warm-up, median / p90 ms`);
console.log("size      encoding                         p50      p90");
for (const side of [640, 416]) {
  const rgb = frame(side);
  const out = new Float32Array(rgb.length);
  const nanodet = pixelTables(NANODET);
  const blazeface = pixelTables(BLAZEFACE);
  const rows: Array<[string, () => void]> = [
    ["NCHW BGR mean/std (tables)", () => rgbToTensor(rgb, out, nanodet)],
    ["NHWC RGB scale/offset (tables)", () => rgbToTensor(rgb, out, blazeface)],
    ["NHWC RGB scale/offset (arith.)", () => rgbToTensorData(rgb, out, BLAZEFACE.scale, BLAZEFACE.offset, false)],
  ];
  for (const [name, work] of rows) {
    const r = measure(work);
    console.log(`${`${side}x${side}`.padEnd(10)}${name.padEnd(31)}${fmt(r.p50, 3).padStart(7)}  ${fmt(r.p90, 3).padStart(7)}`);
  }
}
