import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Value } from "@sinclair/typebox/value";
import { ConfigSchema, type VigilConfig } from "../../src/config/schema.js";
import { providerSpecs } from "../../src/inference/providers/model-runner.js";
import { FaceDetector } from "../../src/inference/face-detector.js";
import { FaceEmbedder } from "../../src/inference/faces/face-embedder.js";
import { findModel, type ModelEntry, readManifest } from "../../src/inference/model-manifest.js";
import { silentLogger } from "./uplink-stack.js";
import { ROOT } from "./repo-root.js";

export { ROOT };
export const PHOTOS = join(ROOT, "test/fixtures/data/photos");
export const MODELS_DIR = join(ROOT, "models");

export async function photo(name: string): Promise<Buffer> {
  const path = join(PHOTOS, name);
  if (!existsSync(path)) assert.fail(`missing test photo ${path}: run \`bash test/fixtures/fetch-test-data.sh\``);
  return readFile(path);
}

/** The embedding model a box uses unless configured otherwise (faces.embedding_model's default). */
export const DEFAULT_EMBEDDING_MODEL = (Value.Default(ConfigSchema.properties.faces, {}) as VigilConfig["faces"])
  .embedding_model;

/**
 * The default face-embedding model's manifest entry, once `vigil models fetch` has materialised
 * it, and the match threshold a box uses with it (the entry's). Fails rather than skips.
 */
export async function embeddingModel(): Promise<{ modelsDir: string; entry: ModelEntry; matchThreshold: number }> {
  const entry = findModel(await readManifest(MODELS_DIR), DEFAULT_EMBEDDING_MODEL);
  if (!existsSync(join(MODELS_DIR, entry.file)))
    assert.fail(`face-embedding model ${entry.id} is not fetched: run \`node dist/src/cli/main.js models fetch\``);
  assert.ok(entry.match_threshold !== undefined, `${entry.id} has no match_threshold in the manifest`);
  return { modelsDir: MODELS_DIR, entry, matchThreshold: entry.match_threshold };
}

/** A real BlazeFace (back, 256) session as the daemon configures it, not started. */
export async function blazeFace(): Promise<FaceDetector> {
  return new FaceDetector(
    {
      modelsDir: MODELS_DIR,
      model: findModel(await readManifest(MODELS_DIR), "blazeface-back-256"),
      scoreThreshold: 0.6,
      iouThreshold: 0.3,
      providers: providerSpecs(["cpu"], 2),
      deadlineMs: 10_000,
    },
    silentLogger(),
  );
}

/** Real BlazeFace and default embedding model sessions, started; stop them after. */
export async function faceModels(): Promise<{
  detector: FaceDetector;
  embedder: FaceEmbedder;
  entry: ModelEntry;
  matchThreshold: number;
  stop(): Promise<void>;
}> {
  const detector = await blazeFace();
  const { modelsDir, entry, matchThreshold } = await embeddingModel();
  const embedder = new FaceEmbedder(
    { modelsDir, model: entry, providers: providerSpecs(["cpu"], 2), deadlineMs: 30_000 },
    silentLogger(),
  );
  await detector.start();
  await embedder.start();
  return {
    detector,
    embedder,
    entry,
    matchThreshold,
    stop: async () => {
      await embedder.stop();
      await detector.stop();
    },
  };
}
