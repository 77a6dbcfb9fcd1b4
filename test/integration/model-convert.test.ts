// Converts the real NanoDet-g and MobileFaceNet TF.js graphs from their npm package (the tarball
// `vigil models fetch` cached), runs the ONNX with ONNX Runtime and the original with TF.js on
// the same real photo, and requires every output to agree within 1e-4.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { promisify } from "node:util";
import * as ort from "onnxruntime-node";
import { cachedTarball, sourceBytes, tarballCacheDir, unpackSource } from "../../src/inference/model-fetch.js";
import { findModel, type ModelEntry, readManifest } from "../../src/inference/model-manifest.js";
import { loadTfjsGraphModel, runTfjs } from "../helpers/tfjs-reference.js";
import { ROOT } from "../helpers/repo-root.js";

const run = promisify(execFile);

const MODELS = join(ROOT, "models");
const PHOTOS = join(ROOT, "test/fixtures/data/photos");
const work: string[] = [];

after(async () => {
  for (const dir of work) await rm(dir, { recursive: true, force: true });
});

/** A photo decoded and resized by ffmpeg to w x h, packed per the manifest's layout and normalisation. */
async function photoTensor(photo: string, entry: ModelEntry): Promise<Float32Array> {
  const path = join(PHOTOS, photo);
  if (!existsSync(path)) assert.fail(`missing test photo ${path}: run \`bash test/fixtures/fetch-test-data.sh\``);
  const { input } = entry;
  const [h, w] =
    input.layout === "NCHW" ? [input.shape[2] ?? 0, input.shape[3] ?? 0] : [input.shape[1] ?? 0, input.shape[2] ?? 0];
  const pixFmt = input.color === "BGR" ? "bgr24" : "rgb24";
  const { stdout } = await run(
    "ffmpeg",
    ["-v", "error", "-i", path, "-vf", `scale=${w}:${h}`, "-f", "rawvideo", "-pix_fmt", pixFmt, "-"],
    { encoding: "buffer", maxBuffer: 64 * 1024 * 1024 },
  );
  const out = new Float32Array(h * w * 3);
  for (let p = 0; p < h * w; p++)
    for (let c = 0; c < 3; c++) {
      const v =
        ((stdout[p * 3 + c] ?? 0) * input.scale + input.offset - (input.mean?.[c] ?? 0)) / (input.std?.[c] ?? 1);
      out[input.layout === "NCHW" ? c * h * w + p : p * 3 + c] = v;
    }
  return out;
}

async function unpack(entry: ModelEntry): Promise<string> {
  const source = entry.source;
  assert.ok(source?.convert, `${entry.id} is not a converted model`);
  const dir = await mkdtemp(join(tmpdir(), "vigil-convert-"));
  work.push(dir);
  return unpackSource(source, await cachedTarball(source.npm, tarballCacheDir()), dir);
}

async function compareWithTfjs(entry: ModelEntry, photo: string): Promise<Record<string, Float32Array>> {
  const modelJson = await unpack(entry);
  const source = entry.source;
  assert.ok(source);
  const bytes = await sourceBytes(source, modelJson);
  const again = await sourceBytes(source, modelJson);
  assert.ok(Buffer.from(bytes).equals(Buffer.from(again)), "conversion is not deterministic");
  assert.equal(
    createHash("sha256").update(bytes).digest("hex"),
    entry.sha256,
    "converted bytes differ from the manifest's sha256",
  );

  const input = await photoTensor(photo, entry);
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  const got = await session.run({ [entry.input.name]: new ort.Tensor("float32", input, entry.input.shape) });
  await session.release();
  const reference = await runTfjs(
    await loadTfjsGraphModel(modelJson),
    entry.input.name,
    entry.input.shape,
    input,
    entry.outputs,
  );

  const outputs: Record<string, Float32Array> = {};
  entry.outputs.forEach((name, k) => {
    const a = got[name]?.data as Float32Array | undefined;
    const b = reference[k];
    assert.ok(a && b, `output ${name} missing`);
    assert.equal(a.length, b.length, `${name}: ONNX ${a.length} values, TF.js ${b.length}`);
    let max = 0;
    for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
    assert.ok(max < 1e-4, `${entry.id} ${name}: max abs difference ${max} >= 1e-4`);
    outputs[name] = a;
  });
  return outputs;
}

void describe("TF.js -> ONNX conversion of the shipped models", () => {
  void it("NanoDet-g 416 matches TF.js on person.jpg and sees the person", async () => {
    const entry = findModel(await readManifest(MODELS), "nanodet-g-416");
    const out = await compareWithTfjs(entry, "person.jpg");
    // Class scores (sigmoid) per stride; column 0 is "person".
    let person = 0;
    for (const name of ["Identity:0", "Identity_1:0", "Identity_2:0"]) {
      const scores = out[name] ?? new Float32Array();
      for (let row = 0; row < scores.length / 80; row++) person = Math.max(person, scores[row * 80] ?? 0);
    }
    assert.ok(person > 0.5, `best person score ${person}`);
  });

  void it("MobileFaceNet 112 matches TF.js on a face photo and gives a unit-length embedding", async () => {
    const entry = findModel(await readManifest(MODELS), "mobilefacenet-112");
    const out = await compareWithTfjs(entry, "sample1.jpg");
    const embedding = out["embeddings:0"] ?? new Float32Array();
    assert.equal(embedding.length, 192);
    const norm = Math.hypot(...embedding);
    assert.ok(Math.abs(norm - 1) < 1e-3, `embedding norm ${norm}`);
  });
});
