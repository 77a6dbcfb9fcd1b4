// Real ffmpeg against a real RTSP server over TCP: four cameras survive the server going away and
// coming back, and a stalled server (SIGSTOP) is noticed by the frame watchdog and recovered.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CameraStatsTracker } from "../../src/ingest/camera-stats-tracker.js";
import { camera, ingestRig, waitUntil } from "../helpers/ingest-rig.js";
import { fixturePath, requireFixtures, type RtspServerHandle, startRtspServer } from "../helpers/rtsp-server.js";

const BACKOFF = { initialMs: 300, maxMs: 2000, factor: 2, jitter: 0.5 };
const sequence = (): string => fixturePath("sequences", "faces-cycle", "%05d.jpg");

void describe("camera ingest: reconnects", () => {
  let rtsp: RtspServerHandle | undefined;
  before(() => requireFixtures());
  after(async () => rtsp?.stop());

  void it("four cameras come back within the backoff schedule after the RTSP server restarts, and the reconnects are counted", async () => {
    rtsp = await startRtspServer({ frames: sequence(), fps: 10 });
    const port = rtsp.port;
    const ids = ["cam-a", "cam-b", "cam-c", "cam-d"];
    const rig = ingestRig({
      cameras: ids.map((id) => camera({ id, url: rtsp?.url ?? "", detect: { fps: 5 } })),
      backoff: BACKOFF,
    });
    const sup = (id: string) => rig.manager.supervisor(id);
    const tracker = new CameraStatsTracker(
      () =>
        ids.map((id) => {
          const st = sup(id)?.stats;
          return {
            id,
            expectedFps: 5,
            online: st?.state === "online",
            counters: {
              decoded: st?.framesDecoded ?? 0,
              analysed: 0,
              skipped: 0,
              restarts: st?.restarts ?? 0,
              stalls: st?.stalls ?? 0,
            },
          };
        }),
      { sampleMs: 1000, windowMs: 60_000 },
    );
    try {
      await rig.manager.start();
      tracker.sample();
      await waitUntil("all four cameras online", () => ids.every((id) => sup(id)?.state === "online"), 15_000);
      await rtsp.stop();
      await waitUntil(
        "every camera to notice the server is gone",
        () => ids.every((id) => sup(id)?.state !== "online"),
        10_000,
      );
      rtsp = await startRtspServer({ frames: sequence(), fps: 10, port });
      const restartedAt = Date.now();
      await waitUntil("all four cameras back online", () => ids.every((id) => sup(id)?.state === "online"), 15_000);
      // A retry is never further apart than the schedule's ceiling; the RTSP setup and first frame
      // take a few seconds on top.
      const backWithin = Date.now() - restartedAt;
      assert.ok(backWithin < BACKOFF.maxMs + 6000, `back after ${backWithin} ms`);
      tracker.sample();
      for (const id of ids) {
        const st = sup(id)?.stats;
        assert.ok((st?.restarts ?? 0) >= 1, `${id} restarts ${st?.restarts}`);
        assert.ok((tracker.statsFor(id)?.reconnects_last_hour ?? 0) >= 1, `${id} reconnects in the last hour`);
        const before = st?.framesDecoded ?? 0;
        await waitUntil(`${id} frames after the restart`, () => (sup(id)?.stats.framesDecoded ?? 0) > before, 5000);
      }
    } finally {
      await rig.stop();
    }
  });

  void it("a stalled server (SIGSTOP) is noticed by the watchdog within its timeout and recovers after SIGCONT", async () => {
    rtsp ??= await startRtspServer({ frames: sequence(), fps: 10 });
    const stallTimeoutMs = 2000;
    // ffmpeg's own socket timeout is set well above the watchdog's, so the watchdog is what acts.
    const rig = ingestRig({
      cameras: [camera({ id: "stall", url: rtsp.url, detect: { fps: 5 } })],
      stallTimeoutMs,
      socketTimeoutS: 60,
      startTimeoutMs: 6000,
      backoff: BACKOFF,
    });
    const sup = () => rig.manager.supervisor("stall");
    try {
      await rig.manager.start();
      await waitUntil("camera online", () => sup()?.state === "online", 15_000);
      rtsp.pause();
      const pausedAt = Date.now();
      await waitUntil(
        "camera stalled",
        () => rig.states.some((s) => s.id === "stall" && s.state === "stalled" && s.at >= pausedAt),
        stallTimeoutMs + 3000,
      );
      const noticedAfter = (rig.states.find((s) => s.state === "stalled" && s.at >= pausedAt)?.at ?? 0) - pausedAt;
      // The watchdog checks every second; the last frame arrived up to one frame before the pause.
      assert.ok(
        noticedAfter >= stallTimeoutMs - 300 && noticedAfter <= stallTimeoutMs + 1500,
        `noticed after ${noticedAfter} ms`,
      );
      assert.equal(sup()?.stats.stalls, 1);
      // The restart's reason is the stall, not whatever ffmpeg prints when it is killed.
      await waitUntil("the killed ffmpeg to exit", () => sup()?.stats.lastErrorKind !== undefined, 5000);
      assert.equal(sup()?.stats.lastErrorKind, "timeout");
      assert.match(sup()?.stats.lastError ?? "", /stalled/);
      await new Promise((r) => setTimeout(r, 1000));
      rtsp.resume();
      const resumedAt = Date.now();
      await waitUntil(
        "camera online again",
        () => rig.states.some((s) => s.state === "online" && s.at >= resumedAt),
        15_000,
      );
      const before = sup()?.stats.framesDecoded ?? 0;
      await waitUntil("frames flowing again", () => (sup()?.stats.framesDecoded ?? 0) > before + 5, 5000);
    } finally {
      rtsp.resume();
      await rig.stop();
    }
  });
});
