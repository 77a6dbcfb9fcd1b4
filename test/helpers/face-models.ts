import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { providerSpecs } from "../../src/inference/providers/model-runner.js";
import { FaceDetector } from "../../src/inference/face-detector.js";
import { FaceEmbedder } from "../../src/inference/faces/face-embedder.js";
import { findModel, type ModelEntry, readManifest, sha256File } from "../../src/inference/model-manifest.js";
import { silentLogger } from "./uplink-stack.js";

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("package.json not found above the compiled test");
    dir = up;
  }
  return dir;
}

export const ROOT = repoRoot();
export const PHOTOS = join(ROOT, "test/fixtures/data/photos");
export const MODELS_DIR = join(ROOT, "models");

export async function photo(name: string): Promise<Buffer> {
  const path = join(PHOTOS, name);
  if (!existsSync(path)) assert.fail(`missing test photo ${path}: run \`bash test/fixtures/fetch-test-data.sh\``);
  return readFile(path);
}

/**
 * The face-embedding model: the manifest's entry once `vigil models fetch` has materialised it,
 * else an ONNX named by VIGIL_TEST_EMBEDDING_MODEL (a converted MobileFaceNet, input
 * `img_inputs:0` [1,112,112,3] NHWC RGB, output `embeddings:0`). Fails rather than skips.
 */
export async function embeddingModel(): Promise<{ modelsDir: string; entry: ModelEntry }> {
  const manifest = await readManifest(MODELS_DIR);
  const listed = manifest.models.find((m) => m.task === "face-embedding" && existsSync(join(MODELS_DIR, m.file)));
  if (listed) return { modelsDir: MODELS_DIR, entry: listed };
  const file = process.env.VIGIL_TEST_EMBEDDING_MODEL;
  if (!file || !existsSync(file)) {
    assert.fail("no face-embedding model: run `node dist/src/cli/main.js models fetch` (with a face-embedding entry in models/manifest.json) or set VIGIL_TEST_EMBEDDING_MODEL to a MobileFaceNet ONNX");
  }
  const entry: ModelEntry = {
    id: "mobilefacenet-112",
    task: "face-embedding",
    decoder: "embedding",
    file: basename(file),
    sha256: await sha256File(file),
    // Measured on the converted human-models MobileFaceNet: centred, unscaled input separates
    // faces best (see docs/watchlist.md); (px - 127.5) / 128 gives near-constant embeddings.
    input: { name: "img_inputs:0", shape: [1, 112, 112, 3], layout: "NHWC", color: "RGB", scale: 1, offset: -127.5 },
    outputs: ["embeddings:0"],
    labels: [],
    licence: "unclear",
  };
  return { modelsDir: dirname(file), entry };
}

/** Real BlazeFace and MobileFaceNet sessions, started; stop them after. */
export async function faceModels(): Promise<{ detector: FaceDetector; embedder: FaceEmbedder; entry: ModelEntry; stop(): Promise<void> }> {
  const log = silentLogger();
  const detector = new FaceDetector({ modelsDir: MODELS_DIR, model: findModel(await readManifest(MODELS_DIR), "blazeface-back-256"), scoreThreshold: 0.6, iouThreshold: 0.3, providers: providerSpecs(["cpu"], 2), deadlineMs: 10_000 }, log);
  const { modelsDir, entry } = await embeddingModel();
  const embedder = new FaceEmbedder({ modelsDir, model: entry, threads: 2 }, log);
  await detector.start();
  await embedder.start();
  return { detector, embedder, entry, stop: async () => { await embedder.stop(); await detector.stop(); } };
}
