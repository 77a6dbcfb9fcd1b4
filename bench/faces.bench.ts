/**
 * The per-face cost of recognition: alignment (similarity fit + bilinear warp to the model's
 * template size) and the embedding model, and the whole recognise() for a frame with one face
 * against a 1,000-person watchlist. Needs the face-embedding model (see
 * test/helpers/face-models.ts; the default, or VIGIL_TEST_EMBEDDING_MODEL_ID). Prints medians.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { alignFace } from "../src/inference/faces/face-align.js";
import { toImagePixels } from "../src/inference/faces/face-geometry.js";
import { FaceRecogniser } from "../src/inference/faces/face-recogniser.js";
import { l2Normalise } from "../src/inference/faces/embedding-math.js";
import { facesInPhoto } from "../src/watchlist/photo-faces.js";
import type { GalleryPerson } from "../src/inference/faces/watchlist-matcher.js";
import { faceModels, PHOTOS } from "../test/helpers/face-models.js";
import { fmt, median } from "./stats.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const models = await faceModels();
const found = await facesInPhoto(await readFile(join(PHOTOS, "sample1.jpg")), models.detector, "bench");
const face = found.faces[0];
if (!face?.keypoints) throw new Error("no face in sample1.jpg");
const points = face.keypoints.slice(0, 4).map((p) => toImagePixels(p, found.placement));

async function time(label: string, work: () => unknown): Promise<void> {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await work();
    samples.push(performance.now() - t0);
  }
  console.log(`${label.padEnd(44)} median ${fmt(median(samples), 3)} ms`);
}

const template = models.embedder.template;
const crop = alignFace(found.image, points, template).crop;
const dims = (await models.embedder.embed(crop)).length;
const gallery: GalleryPerson[] = Array.from({ length: 1000 }, (_, i) => ({
  id: `wl_${String(i).padStart(16, "0")}`,
  name: `p${i}`,
  threshold: null,
  model: models.entry.id,
  embeddings: [l2Normalise(Float32Array.from({ length: dims }, (_, k) => Math.sin(i * 13.1 + k)))],
}));
const recogniser = new FaceRecogniser(models.embedder, () => gallery, {
  matchThreshold: models.matchThreshold,
  minFacePx: 24,
  maxFacesPerFrame: 1,
});

console.log(`faces bench: ${RUNS} runs, image ${found.image.width}x${found.image.height}, model ${models.entry.id}`);
await time(`align (fit + warp to ${template.size}x${template.size})`, () => alignFace(found.image, points, template));
await time(`embed (${models.entry.id}, ${dims}-d, 2 threads)`, () => models.embedder.embed(crop));
await time("recognise 1 face vs 1,000 persons", () => recogniser.recognise(found.image, found.placement, [face]));
await models.stop();
