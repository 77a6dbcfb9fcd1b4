/**
 * Detector cost per frame on this box: preprocessing, ONNX Runtime, decoding, for BlazeFace 256
 * (the default) against BlazeFace 128 as the in-run baseline. Real frames: a face photo decoded and
 * letterboxed by ffmpeg exactly as the ingest does it.
 */
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import * as ort from "onnxruntime-node";
import { decodeBlazeFace } from "../src/inference/blazeface-decode.js";
import { findModel, readManifest, type ModelEntry } from "../src/inference/model-manifest.js";
import { rgbToTensorData } from "../test/helpers/float-preprocess.js";
import { letterboxFilter } from "../src/core/letterbox.js";
import { fmt, median, percentile } from "./stats.js";
import { ROOT } from "../test/helpers/repo-root.js";

const PHOTO = resolve(ROOT, "test/fixtures/data/photos/sample1.jpg");
const RUNS = Number(process.env.BENCH_RUNS ?? 200);

function frameFor(size: number): Buffer {
  return execFileSync(
    "ffmpeg",
    ["-v", "error", "-i", PHOTO, "-vf", letterboxFilter(size, size), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
    { maxBuffer: 64 << 20 },
  );
}

async function measure(
  entry: ModelEntry,
  threads: number,
): Promise<{ pre: number; infer: number; p90: number; decode: number; faces: number }> {
  const size = entry.input.shape[1] as 128 | 256;
  const session = await ort.InferenceSession.create(resolve(ROOT, "models", entry.file), {
    executionProviders: ["cpu"],
    intraOpNumThreads: threads,
    logSeverityLevel: 3,
  });
  const rgb = frameFor(size);
  const input = new Float32Array(size * size * 3);
  const pre: number[] = [];
  const infer: number[] = [];
  const decode: number[] = [];
  let faces = 0;
  for (let i = 0; i < RUNS + 10; i++) {
    const t0 = performance.now();
    rgbToTensorData(rgb, input, entry.input.scale, entry.input.offset, false);
    const t1 = performance.now();
    const out = await session.run({ [entry.input.name]: new ort.Tensor("float32", input, entry.input.shape) });
    const t2 = performance.now();
    const [s0, s1, r0, r1] = entry.outputs.map((n) => out[n]?.data as Float32Array);
    faces = decodeBlazeFace(
      { scores: [s0 as Float32Array, s1 as Float32Array], regressors: [r0 as Float32Array, r1 as Float32Array] },
      size,
      { scoreThreshold: 0.6, iouThreshold: 0.3 },
    ).length;
    const t3 = performance.now();
    if (i < 10) continue; // warm-up
    pre.push(t1 - t0);
    infer.push(t2 - t1);
    decode.push(t3 - t2);
  }
  await session.release();
  return { pre: median(pre), infer: median(infer), p90: percentile(infer, 90), decode: median(decode), faces };
}

const manifest = await readManifest(resolve(ROOT, "models"));
console.log(`detector bench: ${RUNS} runs after 10 warm-up, onnxruntime-node ${ort.env.versions.common} CPU`);
console.log("model                 threads  preprocess ms  inference ms (p50 / p90)  decode ms  faces");
const results = new Map<string, number>();
for (const id of ["blazeface-front-128", "blazeface-back-256"]) {
  for (const threads of [1, 2]) {
    const r = await measure(findModel(manifest, id), threads);
    results.set(`${id}/${threads}`, r.pre + r.infer + r.decode);
    console.log(
      `${id.padEnd(22)}${String(threads).padStart(7)}  ${fmt(r.pre, 3).padStart(13)}  ${fmt(r.infer).padStart(12)} / ${fmt(r.p90).padEnd(10)}  ${fmt(r.decode, 3).padStart(9)}  ${r.faces}`,
    );
  }
}
const base = results.get("blazeface-front-128/2") ?? Number.NaN;
const main = results.get("blazeface-back-256/2") ?? Number.NaN;
console.log(`ratio back-256 / front-128 (2 threads, whole frame): ${fmt(main / base)}x`);
