// Cameras that never work each end in a clear state and message, while a healthy camera beside
// them keeps streaming: a port that accepts and says nothing, wrong credentials, audio only.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { camera, credentialsDir, ingestRig, silentServer, waitUntil } from "../helpers/ingest-rig.js";
import { fixturePath, requireFixtures, type RtspServerHandle, startRtspServer } from "../helpers/rtsp-server.js";

const PASSWORD = "s3cret-Pa55:word";

void describe("camera ingest: faults stay inside their camera", () => {
  const cleanups: Array<() => Promise<void>> = [];
  before(() => requireFixtures());
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  void it("silent, unauthorised and audio-only cameras go offline with their reason; the good camera keeps running", async () => {
    const good: RtspServerHandle = await startRtspServer({
      frames: fixturePath("sequences", "faces-cycle", "%05d.jpg"),
      fps: 10,
    });
    cleanups.push(() => good.stop());
    const locked = await startRtspServer({
      frames: fixturePath("sequences", "face-steady", "%05d.jpg"),
      fps: 10,
      auth: { user: "viewer", password: "the-right-one" },
    });
    cleanups.push(() => locked.stop());
    const audio = await startRtspServer({ audioOnly: true });
    cleanups.push(() => audio.stop());
    const silent = await silentServer();
    cleanups.push(() => silent.close());
    const secrets = await credentialsDir("locked.cred", `viewer:${PASSWORD}`);
    cleanups.push(() => secrets.cleanup());

    const rig = ingestRig({
      cameras: [
        camera({ id: "good", url: good.url, detect: { fps: 5 } }),
        camera({ id: "silent", url: `rtsp://127.0.0.1:${silent.port}/cam`, detect: { fps: 5 } }),
        camera({ id: "locked", url: locked.url, credentials_file: "locked.cred", detect: { fps: 5 } }),
        camera({ id: "audio", url: audio.url, detect: { fps: 5 } }),
      ],
      socketTimeoutS: 1.5,
      startTimeoutMs: 10_000,
      secretsDir: secrets.dir,
      backoff: { initialMs: 200, maxMs: 1000, factor: 2, jitter: 0.5 },
    });
    const sup = (id: string) => rig.manager.supervisor(id);
    try {
      await rig.manager.start();
      const bad = ["silent", "locked", "audio"];
      await waitUntil(
        "the three bad cameras offline",
        () => bad.every((id) => sup(id)?.state === "offline") && sup("good")?.state === "online",
        25_000,
      );
      const expected: Record<string, { kind: string; message: RegExp }> = {
        silent: { kind: "timeout", message: /accepted the connection but sent no stream/ },
        locked: { kind: "unauthorized", message: /401 Unauthorized/ },
        audio: { kind: "no_video", message: /no video track/ },
      };
      for (const id of bad) {
        const st = sup(id)?.stats;
        assert.equal(st?.lastErrorKind, expected[id]?.kind, `${id}: ${st?.lastError}`);
        assert.match(st?.lastError ?? "", expected[id]?.message ?? /^$/);
        assert.equal(st?.framesDecoded, 0);
        // The password never reaches a state, message or log line a tech could read.
        assert.ok(!JSON.stringify(st).includes(PASSWORD));
      }
      // The healthy camera never stopped: it went online once and keeps delivering frames.
      assert.deepEqual(
        rig.states.filter((s) => s.id === "good").map((s) => s.state),
        ["starting", "online"],
      );
      const before = sup("good")?.stats.framesDecoded ?? 0;
      await waitUntil(
        "good camera still delivering",
        () => (sup("good")?.stats.framesDecoded ?? 0) >= before + 5,
        5000,
      );
    } finally {
      await rig.stop();
    }
  });
});
