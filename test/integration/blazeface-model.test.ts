// Runs the real BlazeFace back-256 model on real photos, through the same ffmpeg letterbox the
// daemon uses, so anchor layout, output order, normalisation and box mapping are all checked
// against ground truth rather than against themselves.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import * as ort from "onnxruntime-node";
import type { FaceDetection } from "../../src/inference/blazeface-decode.js";
import { decodeBlazeFace } from "../../src/inference/blazeface-decode.js";
import type { Box } from "../../src/core/geometry.js";
import { iou } from "../../src/core/geometry.js";
import type { Letterbox } from "../../src/core/letterbox.js";
import {
  computeLetterbox,
  letterboxFilter,
  letterboxPointToSource,
  letterboxToSource,
} from "../../src/core/letterbox.js";
import { ROOT } from "../helpers/repo-root.js";

const run = promisify(execFile);
const SIZE = 256;
const THRESHOLD = 0.6;

const MODEL = join(ROOT, "models/blazeface/face_detection_back_256x256_barracuda.onnx");
const PHOTOS = join(ROOT, "test/fixtures/data/photos");

let session: Promise<ort.InferenceSession> | undefined;
function getSession(names: readonly string[]): Promise<ort.InferenceSession> {
  const needed = [MODEL, ...names.map((n) => join(PHOTOS, `${n}.jpg`))];
  const missing = needed.filter((p) => !existsSync(p));
  if (missing.length > 0) {
    // Failing rather than skipping: a silently skipped model test looks like a passing one.
    assert.fail(
      `missing test data: ${missing.join(", ")}. Run \`bash test/fixtures/fetch-test-data.sh\` ` +
        "and `node dist/src/cli/main.js models fetch` from the repository root.",
    );
  }
  session ??= ort.InferenceSession.create(MODEL, { logSeverityLevel: 3 });
  return session;
}

interface Result {
  lb: Letterbox;
  faces: FaceDetection[];
}

async function detect(name: string): Promise<Result> {
  const s = await getSession([name]);
  const file = join(PHOTOS, `${name}.jpg`);
  const probe = await run("ffprobe", [
    ...["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height"],
    ...["-of", "csv=p=0", file],
  ]);
  const [w, h] = probe.stdout.trim().split(",").map(Number);
  assert.ok(w && h, `ffprobe gave no size for ${file}`);
  const { stdout } = await run(
    "ffmpeg",
    [
      ...["-v", "error", "-i", file, "-frames:v", "1", "-vf", letterboxFilter(SIZE, SIZE)],
      ...["-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
    ],
    { encoding: "buffer", maxBuffer: 16 * 1024 * 1024 },
  );
  assert.equal(stdout.length, SIZE * SIZE * 3);
  const input = new Float32Array(stdout.length);
  for (let i = 0; i < stdout.length; i++) input[i] = (stdout[i] ?? 0) / 127.5 - 1;
  const out = await s.run({ "input:0": new ort.Tensor("float32", input, [1, SIZE, SIZE, 3]) });
  const f32 = (key: string): Float32Array => {
    const data = out[key]?.data;
    assert.ok(data instanceof Float32Array, `model output ${key} missing or not float32`);
    return data;
  };
  const faces = decodeBlazeFace(
    {
      scores: [f32("Identity:0"), f32("Identity_1:0")],
      regressors: [f32("Identity_2:0"), f32("Identity_3:0")],
    },
    SIZE,
    { scoreThreshold: THRESHOLD, iouThreshold: 0.3 },
  );
  return { lb: computeLetterbox(w, h, SIZE, SIZE), faces };
}

const inside = (p: { x: number; y: number }, b: Box): boolean =>
  p.x >= b.x1 && p.x <= b.x2 && p.y >= b.y1 && p.y <= b.y2;

function assertPlausibleFace(name: string, face: FaceDetection, lb: Letterbox): void {
  const tol = 0.02;
  const content: Box = {
    x1: lb.padX / SIZE - tol,
    y1: lb.padY / SIZE - tol,
    x2: (lb.padX + lb.scaledWidth) / SIZE + tol,
    y2: (lb.padY + lb.scaledHeight) / SIZE + tol,
  };
  const b = face.box;
  assert.ok(
    inside({ x: b.x1, y: b.y1 }, content) && inside({ x: b.x2, y: b.y2 }, content),
    `${name}: face box reaches into the letterbox padding: ${JSON.stringify(b)}`,
  );
  const src = letterboxToSource(b, lb);
  const wPx = (src.x2 - src.x1) * lb.srcWidth;
  const hPx = (src.y2 - src.y1) * lb.srcHeight;
  assert.ok(wPx >= 0.03 * lb.srcWidth && wPx <= 0.5 * lb.srcWidth, `${name}: face ${wPx} px wide`);
  assert.ok(hPx / wPx > 0.75 && hPx / wPx < 1.33, `${name}: face aspect ${hPx / wPx}`);
  // Keypoints 0 and 1 are the eyes.
  for (const kp of face.keypoints.slice(0, 2)) {
    assert.ok(inside(letterboxPointToSource(kp, lb), src), `${name}: eye outside its face box`);
  }
}

// Faces in source pixels (x1, y1, x2, y2), from this decoder's output checked by eye against
// the photos with ffmpeg drawbox; FACTS.md counts 3, 2 and 3 at this threshold. The optional
// face in sample2 (looking down) scores just under 0.6, so it may or may not be reported.
// IoU 0.7 leaves room for scaler or ORT drift of a few pixels but not for an anchor or scale
// slip (a 5 px shift at 256 px already drops IoU to ~0.67).
const MATCH_IOU = 0.7;
interface RefFace {
  px: [number, number, number, number];
  optional?: boolean;
}
const FACE_PHOTOS: Record<string, RefFace[]> = {
  sample1: [{ px: [420, 407, 610, 597] }, { px: [1497, 270, 1643, 415] }, { px: [850, 468, 1026, 643] }],
  sample2: [
    { px: [1456, 195, 1654, 392] },
    { px: [351, 188, 558, 395] },
    { px: [870, 250, 1079, 460], optional: true },
  ],
  sample3: [{ px: [587, 381, 796, 589] }, { px: [1066, 258, 1314, 506] }, { px: [1470, 357, 1672, 559] }],
};

for (const [name, refs] of Object.entries(FACE_PHOTOS)) {
  void test(`BlazeFace finds the faces in ${name}.jpg`, async () => {
    const { lb, faces } = await detect(name);
    const refBoxes = refs.map(({ px: [x1, y1, x2, y2] }) => ({
      x1: x1 / lb.srcWidth,
      y1: y1 / lb.srcHeight,
      x2: x2 / lb.srcWidth,
      y2: y2 / lb.srcHeight,
    }));
    const found = faces.map((f) => letterboxToSource(f.box, lb));
    for (const [i, f] of faces.entries()) {
      assert.ok(f.score >= THRESHOLD);
      assertPlausibleFace(name, f, lb);
      const best = Math.max(...refBoxes.map((r) => iou(r, found[i]!)));
      assert.ok(best >= MATCH_IOU, `${name}: ${JSON.stringify(found[i])} matches none (${best})`);
    }
    for (const [i, r] of refBoxes.entries()) {
      if (refs[i]!.optional) continue;
      const hit = found.some((b) => iou(r, b) >= MATCH_IOU);
      assert.ok(hit, `${name}: face ${JSON.stringify(refs[i]!.px)} missed`);
    }
  });
}

for (const name of ["person", "horses"]) {
  void test(`BlazeFace finds no face in ${name}.jpg`, async () => {
    const { faces } = await detect(name);
    assert.deepEqual(
      faces.map((f) => f.score),
      [],
    );
  });
}

void test("BlazeFace's only hit in dog.jpg is the dog's own face", async () => {
  // The model scores the dog's face ~0.66: animal faces are a real false positive, so this
  // photo is not a "no faces" negative. Pinning the hit to the dog's head keeps it honest.
  const { lb, faces } = await detect("dog");
  assert.ok(faces.length <= 1, `dog.jpg: ${faces.length} faces`);
  for (const f of faces) {
    const b = letterboxToSource(f.box, lb);
    const centre = { x: (b.x1 + b.x2) / 2, y: (b.y1 + b.y2) / 2 };
    assert.ok(inside(centre, { x1: 0.28, y1: 0.4, x2: 0.44, y2: 0.6 }), JSON.stringify(b));
  }
});
