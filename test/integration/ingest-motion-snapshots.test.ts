// Motion gating on real decoded frames (a still scene against people walking in vtest.avi), and
// JPEG snapshots taken from the main stream while detection reads a smaller substream.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import type { Frame } from "../../src/contract/detection.js";
import { looksLikeJpeg } from "../../src/ingest/jpeg-decoder.js";
import { MotionGate } from "../../src/ingest/motion-gate.js";
import { camera, ingestRig, pedestrianFrames, waitUntil } from "../helpers/ingest-rig.js";
import { fixturePath, requireFixtures, type RtspServerHandle, startRtspServer } from "../helpers/rtsp-server.js";

const run = promisify(execFile);

async function jpegSize(jpeg: Buffer): Promise<{ width: number; height: number }> {
  const dir = await mkdtemp(join(tmpdir(), "vigil-jpeg-"));
  try {
    await writeFile(join(dir, "s.jpg"), jpeg);
    const { stdout } = await run("ffprobe", [
      "-v",
      "error",
      "-select_streams",
      "v:0",
      "-show_entries",
      "stream=codec_name,width,height",
      "-of",
      "json",
      join(dir, "s.jpg"),
    ]);
    const s = (JSON.parse(stdout) as { streams: Array<{ codec_name: string; width: number; height: number }> })
      .streams[0];
    assert.equal(s?.codec_name, "mjpeg");
    return { width: s?.width ?? 0, height: s?.height ?? 0 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

void describe("camera ingest: motion gating and snapshots", () => {
  const cleanups: Array<() => Promise<void>> = [];
  before(() => requireFixtures());
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  void it("a still scene sends almost no frames to the detector, people walking do; snapshots come from the main stream at its size", async () => {
    const walking = await pedestrianFrames(12);
    cleanups.push(() => walking.cleanup());
    const walkingSmall = await pedestrianFrames(12, { width: 320, height: 240 });
    cleanups.push(() => walkingSmall.cleanup());
    const servers: RtspServerHandle[] = [];
    for (const frames of [fixturePath("sequences", "face-steady", "%05d.jpg"), walking.pattern, walkingSmall.pattern]) {
      const s = await startRtspServer({ frames, fps: 10 });
      servers.push(s);
      cleanups.push(() => s.stop());
    }
    const [still, main, sub] = servers as [RtspServerHandle, RtspServerHandle, RtspServerHandle];
    const motion = { enabled: true, threshold: 20, min_area: 0.002, idle_fps: 0.2 };
    const cameras = [
      camera({ id: "still", url: still.url, detect: { fps: 5 }, motion }),
      camera({
        id: "walking",
        url: main.url,
        substream_url: sub.url,
        detect: { fps: 5 },
        motion,
        snapshot: { fps: 2, keyframes_only: false },
      }),
    ];
    const detected = new Map<string, Frame[]>();
    const gate = new MotionGate(
      (id) => cameras.find((c) => c.id === id)?.motion,
      (frame) => detected.set(frame.cameraId, [...(detected.get(frame.cameraId) ?? []), frame]),
    );
    const rig = ingestRig({ cameras, size: { width: 320, height: 320 }, onFrame: (frame) => gate.offer(frame) });
    try {
      await rig.manager.start();
      await waitUntil(
        "both cameras online",
        () => ["still", "walking"].every((id) => rig.manager.supervisor(id)?.state === "online"),
        15_000,
      );
      // Let the still camera's background settle on its first frames, then measure a window.
      await new Promise((r) => setTimeout(r, 1500));
      const start = { still: gate.stats("still"), walking: gate.stats("walking") };
      await waitUntil(
        "8 s of frames",
        () =>
          gate.stats("still").offered - start.still.offered >= 40 &&
          gate.stats("walking").offered - start.walking.offered >= 40,
        15_000,
      );
      const still2 = gate.stats("still");
      const walk2 = gate.stats("walking");
      const stillPassed = still2.passed - start.still.passed;
      const stillOffered = still2.offered - start.still.offered;
      const walkPassed = walk2.passed - start.walking.passed;
      const walkOffered = walk2.offered - start.walking.offered;
      // Idle rate 0.2 fps: one frame in five seconds, two at most in this window.
      assert.ok(stillPassed <= 3, `still scene: ${stillPassed} of ${stillOffered} frames went to the detector`);
      assert.ok(still2.motionGated - start.still.motionGated >= stillOffered - 3);
      assert.ok(
        walkPassed >= walkOffered * 0.7,
        `walking scene: ${walkPassed} of ${walkOffered} frames went to the detector`,
      );
      const withRegions = (detected.get("walking") ?? []).filter((f) => (f.motion?.regions.length ?? 0) > 0);
      assert.ok(withRegions.length >= walkPassed * 0.7, `${withRegions.length} frames with regions`);
      for (const f of withRegions)
        for (const r of f.motion?.regions ?? []) assert.ok(r.x1 >= 0 && r.x2 <= 1 && r.x1 < r.x2 && r.y1 < r.y2);

      // Detection read the 320x240 substream; snapshots are JPEGs of the 640x480 main stream.
      assert.deepEqual(rig.frames.get("walking")?.at(-1)?.source, { width: 320, height: 240 });
      await waitUntil(
        "snapshots",
        () => (rig.snapshots.get("walking")?.length ?? 0) >= 2 && (rig.snapshots.get("still")?.length ?? 0) >= 1,
        10_000,
      );
      for (const id of ["walking", "still"]) {
        const snap = rig.snapshots.get(id)?.at(-1);
        assert.ok(snap && looksLikeJpeg(snap.jpeg));
        assert.deepEqual(await jpegSize(snap.jpeg), { width: 640, height: 480 });
        assert.ok(Date.now() - snap.capturedAt < 5000);
      }
    } finally {
      await rig.stop();
    }
  });
});
