import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { selectForFetch } from "../../src/cli/models.js";
import { ErrorCodes } from "../../src/core/errors.js";
import { FaceEmbedder } from "../../src/inference/faces/face-embedder.js";
import {
  findModel,
  type ModelEntry,
  readManifest,
  validateModelEntry,
  writeManifest,
} from "../../src/inference/model-manifest.js";
import { expectVigil, expectVigilAsync } from "../helpers/expect-vigil.js";
import { silentLogger } from "../helpers/uplink-stack.js";

const SHIPPED = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "models");

async function withManifest(models: unknown[], fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "vigil-manifest-"));
  try {
    await writeFile(join(dir, "manifest.json"), JSON.stringify({ models }));
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

void describe("model manifest", () => {
  void it("the shipped manifest is valid: NanoDet with per-channel mean/std, the dlib ResNet embedder by default, YOLOv5s and MobileFaceNet opt-in", async () => {
    const manifest = await readManifest(SHIPPED);
    const nanodet = findModel(manifest, "nanodet-g-416");
    assert.deepEqual(nanodet.input.mean, [103.53, 116.28, 123.675]);
    assert.equal(nanodet.labels.length, 80);
    assert.equal(nanodet.source?.convert?.format, "tfjs-graph");
    assert.equal(findModel(manifest, "yolov5s-640").optional, true);
    assert.match(findModel(manifest, "yolov5s-640").licence, /AGPL-3\.0/);
    const ids = selectForFetch(manifest, []).map((m) => m.id);
    assert.ok(ids.includes("nanodet-g-416") && ids.includes("blazeface-back-256"));
    // The default embedder: public-domain weights, built from face-api's package, dlib's face chip.
    assert.ok(ids.includes("dlib-resnet-150"));
    const dlib = findModel(manifest, "dlib-resnet-150");
    assert.deepEqual(
      [dlib.task, dlib.source?.convert?.format, dlib.input.align, dlib.input.layout],
      ["face-embedding", "faceapi-resnet", "dlib-150", "NCHW"],
    );
    assert.match(dlib.licence, /Public domain/);
    assert.ok(
      dlib.match_threshold !== undefined && findModel(manifest, "mobilefacenet-112").match_threshold !== undefined,
    );
    // YOLOv5s is AGPL-3.0; MobileFaceNet's weights have no licence we could confirm.
    assert.ok(!ids.includes("yolov5s-640") && !ids.includes("mobilefacenet-112"));
    assert.equal(findModel(manifest, "mobilefacenet-112").optional, true);
    assert.ok(selectForFetch(manifest, ["yolov5s-640"]).some((m) => m.id === "yolov5s-640"));
    expectVigil(() => selectForFetch(manifest, ["nope"]), ErrorCodes.MODEL_NOT_FOUND);
  });

  void it("refuses mean/std with the wrong number of channels, and duplicate ids", async () => {
    const nanodet = findModel(await readManifest(SHIPPED), "nanodet-g-416");
    const bad: ModelEntry = { ...nanodet, input: { ...nanodet.input, std: [1, 2] } };
    expectVigil(() => validateModelEntry(bad), ErrorCodes.MANIFEST_INVALID);
    await withManifest([bad], (dir) =>
      expectVigilAsync(readManifest(dir), ErrorCodes.MANIFEST_INVALID).then(() => undefined),
    );
    await withManifest([nanodet, nanodet], (dir) =>
      expectVigilAsync(readManifest(dir), ErrorCodes.MANIFEST_INVALID).then(() => undefined),
    );
  });

  void it("refuses a face template it does not know, and an embedder whose input is not its template's size", async () => {
    const dlib = findModel(await readManifest(SHIPPED), "dlib-resnet-150");
    expectVigil(
      () => validateModelEntry({ ...dlib, input: { ...dlib.input, align: "dlib-200" } }),
      ErrorCodes.MANIFEST_INVALID,
    );
    // Left without align, a 150x150 model would be aligned onto ArcFace's 112x112 crop: refused before loading.
    const { align: _align, ...unaligned } = dlib.input;
    const err = expectVigil(
      () =>
        new FaceEmbedder(
          {
            modelsDir: SHIPPED,
            model: { ...dlib, input: unaligned },
            providers: [{ id: "cpu", backend: "cpu", threads: 1 }],
            deadlineMs: 1000,
          },
          silentLogger(),
        ),
      ErrorCodes.MANIFEST_INVALID,
    );
    assert.match(err.message, /112x112/);
    assert.equal(
      new FaceEmbedder(
        { modelsDir: SHIPPED, model: dlib, providers: [{ id: "cpu", backend: "cpu", threads: 1 }], deadlineMs: 1000 },
        silentLogger(),
      ).template.size,
      150,
    );
  });

  void it("writes a manifest that reads back equal, with value lists on one line", async () => {
    const manifest = await readManifest(SHIPPED);
    await withManifest([], async (dir) => {
      await writeManifest(dir, manifest);
      assert.deepEqual(await readManifest(dir), manifest);
      assert.match(await readFile(join(dir, "manifest.json"), "utf8"), /"shape": \[1,3,416,416\]/);
    });
  });
});
