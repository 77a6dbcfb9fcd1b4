// Provider chains on the real onnxruntime-node and the real BlazeFace model: a provider ORT
// rejects on this box, a truncated model file, a provider that misses its deadline on a real run,
// and a repaired model coming back after its cool-down. Nothing here stands in for ORT.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdtemp, readFile, rm, truncate } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { createRequire } from "node:module";
import { buildDetector } from "../../src/compose/vision.js";
import { buildConfig } from "../../src/config/loader.js";
import type { Frame } from "../../src/contract/detection.js";
import { isVigilError } from "../../src/core/errors.js";
import { FaceDetector, type FaceDetectorOptions } from "../../src/inference/face-detector.js";
import { findModel, type ModelEntry, readManifest, sha256File } from "../../src/inference/model-manifest.js";
import type { ProviderChange } from "../../src/inference/providers/provider-chain.js";
import { providerAlerts } from "../../src/inference/providers/provider-alerts.js";
import { DEFAULT_PROVIDER_POLICY } from "../../src/inference/providers/provider-health.js";
import { letterboxFilter } from "../../src/core/letterbox.js";
import { openStoreStack, TEST_IDENTITY } from "../helpers/store-stack.js";
import { silentLogger } from "../helpers/uplink-stack.js";
import { ROOT } from "../helpers/repo-root.js";

const run = promisify(execFile);
const MODELS = join(ROOT, "models");
const PHOTO = join(ROOT, "test/fixtures/data/photos/sample1.jpg");
const log = silentLogger();

let model: ModelEntry;
let frame: Frame;
let dir: string;

async function sample1Frame(): Promise<Frame> {
  const probe = await run("ffprobe", [
    "-v",
    "error",
    "-select_streams",
    "v:0",
    "-show_entries",
    "stream=width,height",
    "-of",
    "csv=p=0",
    PHOTO,
  ]);
  const [width, height] = probe.stdout.trim().split(",").map(Number);
  const { stdout } = await run(
    "ffmpeg",
    ["-v", "error", "-i", PHOTO, "-vf", letterboxFilter(256, 256), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
    { encoding: "buffer", maxBuffer: 1 << 24 },
  );
  return {
    cameraId: "cam",
    index: 0,
    capturedAt: 0,
    width: 256,
    height: 256,
    rgb: stdout,
    source: { width: width!, height: height! },
  };
}

function options(over: Partial<FaceDetectorOptions> = {}): FaceDetectorOptions {
  return {
    modelsDir: MODELS,
    model,
    scoreThreshold: 0.6,
    iouThreshold: 0.3,
    providers: [{ id: "cpu", backend: "cpu", threads: 1 }],
    deadlineMs: 10_000,
    ...over,
  };
}

async function until(what: string, cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const cudaLibraryPresent = (): boolean => {
  const binding = createRequire(import.meta.url).resolve("onnxruntime-node");
  return existsSync(join(dirname(binding), "..", "bin", "napi-v6", "linux", "x64", "libonnxruntime_providers_cuda.so"));
};

void describe("inference provider chain", () => {
  let reference: string;

  before(async () => {
    for (const p of [PHOTO, join(MODELS, "blazeface/face_detection_back_256x256_barracuda.onnx")]) {
      if (!existsSync(p))
        assert.fail(`missing test data ${p}: run bash test/fixtures/fetch-test-data.sh and vigil models fetch`);
    }
    model = findModel(await readManifest(MODELS), "blazeface-back-256");
    frame = await sample1Frame();
    dir = await mkdtemp(join(tmpdir(), "vigil-providers-"));
    const plain = new FaceDetector(options(), log);
    await plain.start();
    try {
      const r = await plain.detect(frame);
      assert.equal(r.detections.length, 3, "sample1.jpg has three faces");
      reference = JSON.stringify(r.detections);
    } finally {
      await plain.stop();
    }
  });

  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  void it("falls back to cpu when ORT cannot create a cuda session, reports why, and alerts once", async () => {
    const store = await openStoreStack(join(dir, "store"));
    const config = buildConfig(
      { ...TEST_IDENTITY, data_dir: dir, models_dir: MODELS, detector: { providers: ["cuda", "cpu"], threads: 1 } },
      {},
      dir,
    );
    const alerts = providerAlerts((type, data) => store.outbox.append("alerts", type, data), log);
    const detector = buildDetector(config, model, alerts.onChange, log);
    try {
      await detector.start();
      const r = await detector.detect(frame);
      assert.equal(JSON.stringify(r.detections), reference, "same faces whichever provider ran them");
      const [cuda, cpu] = detector.providers();
      assert.equal(cpu?.state, "healthy");
      if (cudaLibraryPresent()) {
        assert.equal(r.provider, cuda?.loaded ? "cuda" : "cpu");
      } else {
        assert.equal(r.provider, "cpu");
        assert.equal(cuda?.state, "unhealthy");
        assert.equal(cuda?.loaded, false);
        assert.match(cuda?.last_error ?? "", /cuda|shared library/i);
        assert.ok(cuda?.down_until, "kept out until its cool-down ends");
        await until("the alert", () => store.outbox.stats.depth.alerts === 1);
        const [alert] = await store.outbox.read("alerts", 0, 10);
        assert.equal(alert?.envelope.type, "provider.unhealthy");
        assert.deepEqual(
          { ...(alert?.envelope.data as Record<string, unknown>), last_error: "x", at: "t" },
          {
            provider: "cuda",
            backend: "cuda",
            model: model.id,
            from: "healthy",
            to: "unhealthy",
            last_error: "x",
            at: "t",
          },
        );
      }
    } finally {
      await detector.stop();
      await alerts.drain();
      await store.close();
    }
  });

  void it("a truncated model file leaves the detector up but not loaded, and health says why", async () => {
    const broken = join(dir, "broken");
    await run("mkdir", ["-p", join(broken, "blazeface")]);
    const file = join(broken, model.file);
    await copyFile(join(MODELS, model.file), file);
    await truncate(file, 100_000);
    // The manifest is made to match the damaged bytes, so it is ORT that meets the damage.
    const damaged = { ...model, sha256: await sha256File(file) };
    const changes: ProviderChange[] = [];
    const detector = new FaceDetector(
      options({ modelsDir: broken, model: damaged, onProviderChange: (c) => changes.push(c) }),
      log,
    );
    try {
      await detector.start();
      assert.equal(detector.loaded, false);
      const [cpu] = detector.providers();
      assert.equal(cpu?.state, "unhealthy");
      assert.ok(cpu?.last_error && cpu.last_error.length > 0);
      assert.deepEqual(
        changes.map((c) => c.to),
        ["unhealthy"],
      );
      await assert.rejects(detector.detect(frame), (err) => isVigilError(err, "VIGIL_E_NO_PROVIDER"));
    } finally {
      await detector.stop();
    }
  });

  void it("a provider past its deadline loses the frame to the next one, degrades at 3 and goes unhealthy at 5", async () => {
    const changes: ProviderChange[] = [];
    const detector = new FaceDetector(
      options({
        // A real BlazeFace run takes milliseconds; 1 ms is always missed.
        providers: [
          { id: "strict", backend: "cpu", threads: 1, deadlineMs: 1 },
          { id: "cpu", backend: "cpu", threads: 1 },
        ],
        onProviderChange: (c) => changes.push(c),
      }),
      log,
    );
    await detector.start();
    try {
      for (let i = 1; i <= 5; i++) {
        const r = await detector.detect(frame);
        assert.equal(r.provider, "cpu");
        assert.equal(JSON.stringify(r.detections), reference);
        const strict = detector.providers()[0];
        assert.equal(strict?.consecutive_failures, i);
        // Either this run missed the deadline, or the last overdue one had not even finished.
        assert.match(strict?.last_error ?? "", /did not answer within 1 ms|still on an earlier run past its deadline/);
      }
      assert.deepEqual(
        changes.map((c) => [c.provider, c.from, c.to]),
        [
          ["strict", "healthy", "degraded"],
          ["strict", "degraded", "unhealthy"],
        ],
      );
      // Unhealthy and cooling down: frames go straight to cpu without trying it.
      const r = await detector.detect(frame);
      assert.equal(r.provider, "cpu");
      assert.equal(detector.providers()[0]?.runs, 5);
    } finally {
      await detector.stop();
    }
  });

  void it("a repaired model is probed after the cool-down and recovers after 3 good runs", async () => {
    const repaired = join(dir, "repaired");
    await run("mkdir", ["-p", join(repaired, "blazeface")]);
    const file = join(repaired, model.file);
    const good = await readFile(join(MODELS, model.file));
    await copyFile(join(MODELS, model.file), file);
    const changes: ProviderChange[] = [];
    await truncate(file, 1000);
    // The manifest matches the damaged bytes (ORT meets the damage); the repair happens under it.
    const real = { ...model, sha256: await sha256File(file) };
    const d2 = new FaceDetector(
      options({
        modelsDir: repaired,
        model: real,
        policy: { ...DEFAULT_PROVIDER_POLICY, coolDownMs: 300 },
        onProviderChange: (c) => changes.push(c),
      }),
      log,
    );
    await d2.start();
    try {
      assert.equal(d2.loaded, false);
      await run("cp", [join(MODELS, model.file), file]);
      assert.deepEqual(await readFile(file), good);
      await sleep(350);
      // The first frame after the cool-down starts the reload in the background and is refused.
      await assert.rejects(d2.detect(frame), (err) => isVigilError(err, "VIGIL_E_NO_PROVIDER"));
      await until("the reload", () => d2.loaded);
      for (let i = 0; i < 3; i++) assert.equal(JSON.stringify((await d2.detect(frame)).detections), reference);
      assert.deepEqual(
        changes.map((c) => c.to),
        ["unhealthy", "healthy"],
      );
      assert.equal(d2.providers()[0]?.state, "healthy");
    } finally {
      await d2.stop();
    }
  });
});
