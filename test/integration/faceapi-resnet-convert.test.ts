// The dlib ResNet converted from face-api's weights against face-api itself: the package's own
// node build (dist/face-api.node.js, from the tarball `vigil models fetch` cached) loads the
// weights with its loadFromDisk and computes the descriptor of a real face, aligned as the
// daemon aligns it, with TF.js's pure-JS CPU backend; ONNX Runtime runs the converted model on
// the same crop, normalised as the manifest says. They must agree within 1e-4.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import * as ort from "onnxruntime-node";
import { frameShape, withUint8Input } from "../../src/inference/convert/uint8-input.js";
import { alignFace } from "../../src/inference/faces/face-align.js";
import { toImagePixels } from "../../src/inference/faces/face-geometry.js";
import { DLIB_150 } from "../../src/inference/faces/face-templates.js";
import type { FaceDetector } from "../../src/inference/face-detector.js";
import { cachedTarball, sourceBytes, tarballCacheDir, unpackSource } from "../../src/inference/model-fetch.js";
import { findModel, type ModelEntry, readManifest } from "../../src/inference/model-manifest.js";
import { facesInPhoto } from "../../src/watchlist/photo-faces.js";
import { blazeFace, MODELS_DIR, photo, ROOT } from "../helpers/face-models.js";

const run = promisify(execFile);

/** The parts of face-api's node build this test calls. */
interface FaceApi {
  readonly tf: {
    setBackend(name: string): Promise<boolean>;
    tensor3d(values: Float32Array, shape: [number, number, number]): { dispose(): void };
  };
  readonly nets: {
    readonly faceRecognitionNet: {
      loadFromDisk(dir: string): Promise<void>;
      computeFaceDescriptor(input: unknown): Promise<Float32Array>;
    };
  };
}

void describe("dlib ResNet 150 (face-api FaceRecognitionNet) -> ONNX", () => {
  let work: string;
  let entry: ModelEntry;
  let detector: FaceDetector;
  let weightsManifest: string;

  before(async () => {
    entry = findModel(await readManifest(MODELS_DIR), "dlib-resnet-150");
    assert.ok(entry.source?.convert?.format === "faceapi-resnet");
    work = await mkdtemp(join(tmpdir(), "vigil-faceapi-"));
    const tarball = await cachedTarball(entry.source.npm, tarballCacheDir());
    weightsManifest = await unpackSource(entry.source, tarball, work);
    await run("tar", ["-xzf", tarball, "-C", work, "package/dist/face-api.node.js"]);
    // face-api's node build requires @tensorflow/tfjs-node (native bindings, not installed here);
    // it resolves to the project's @tensorflow/tfjs instead, whose CPU backend runs the same ops.
    await mkdir(join(work, "node_modules", "@tensorflow"), { recursive: true });
    await symlink(
      join(ROOT, "node_modules", "@tensorflow", "tfjs"),
      join(work, "node_modules", "@tensorflow", "tfjs-node"),
      "dir",
    );
    detector = await blazeFace();
    await detector.start();
  });
  after(async () => {
    await detector?.stop();
    await rm(work, { recursive: true, force: true });
  });

  void it("converts deterministically to the manifest's bytes, and matches face-api's descriptor on an aligned face", async () => {
    const source = entry.source;
    assert.ok(source);
    const bytes = await sourceBytes(source, weightsManifest);
    assert.ok(
      Buffer.from(bytes).equals(Buffer.from(await sourceBytes(source, weightsManifest))),
      "conversion is not deterministic",
    );
    assert.equal(
      createHash("sha256").update(bytes).digest("hex"),
      entry.sha256,
      "converted bytes differ from the manifest's sha256",
    );

    // The woman on the left of sample1, aligned onto dlib's 150x150 chip as the daemon does.
    const found = await facesInPhoto(await photo("sample1.jpg"), detector, "sample1");
    const face = [...found.faces].sort((a, b) => a.box.x1 - b.box.x1)[0];
    assert.ok(face?.keypoints);
    const { crop } = alignFace(
      found.image,
      face.keypoints.slice(0, 4).map((p) => toImagePixels(p, found.placement)),
      DLIB_150,
    );

    // As the providers run it: the chip's rgb24 bytes in, rearranged and normalised in the graph.
    const session = await ort.InferenceSession.create(
      withUint8Input(bytes, { name: entry.input.name, shape: entry.input.shape, encoding: entry.input }),
      { logSeverityLevel: 3 },
    );
    const out = await session.run({
      [entry.input.name]: new ort.Tensor(
        "uint8",
        Uint8Array.from(crop),
        frameShape({ shape: entry.input.shape, encoding: entry.input }),
      ),
    });
    await session.release();
    const got = out[entry.outputs[0] ?? ""]?.data as Float32Array;

    const faceapi = createRequire(import.meta.url)(join(work, "package/dist/face-api.node.js")) as FaceApi;
    await faceapi.tf.setBackend("cpu");
    await faceapi.nets.faceRecognitionNet.loadFromDisk(join(work, "package/model"));
    // face-api takes the chip as pixels and normalises it itself ((px - mean RGB) / 255).
    const input = faceapi.tf.tensor3d(Float32Array.from(crop), [DLIB_150.size, DLIB_150.size, 3]);
    const reference = await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(input);
    input.dispose();

    assert.equal(got.length, 128);
    assert.equal(reference.length, 128);
    let max = 0;
    for (let i = 0; i < 128; i++) max = Math.max(max, Math.abs((got[i] ?? 0) - (reference[i] ?? 0)));
    console.log(
      `dlib-resnet-150: max abs difference to face-api ${max.toExponential(2)}, descriptor norm ${Math.hypot(...got).toFixed(3)}`,
    );
    assert.ok(max < 1e-4, `max abs difference ${max} >= 1e-4`);
    assert.ok(Math.hypot(...got) > 0.5, "a face's descriptor is not near zero");
  });
});
