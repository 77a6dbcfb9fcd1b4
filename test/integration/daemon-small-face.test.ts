// A face 50 px wide in a 1920x1080 camera picture, enrolled from a different rendering of the
// same photo (the full-size original, where the face is 191 px): found in the head square of the
// person the regions detect and matched above the embedding model's threshold, on a camera
// without a substream (working frame 1280x720, face 33 px; 0.974 measured) and on one detecting
// on a 640x360 substream (face 17 px there: found and aligned in the main stream's snapshot of the
// moment instead; 0.975 measured, and no match with that path switched off). Shrunk whole for
// BlazeFace (1920 -> 256) the face would be about 7 px. Real daemon, RTSP servers, ffmpeg,
// NanoDet, BlazeFace, dlib ResNet, mosquitto.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import type { Envelope } from "../../src/contract/envelope.js";
import type { Incident } from "../../src/contract/incident.js";
import type { PersonRecord } from "../../src/watchlist/person-record.js";
import { provisionBox, runCli } from "../helpers/daemon.js";
import { embeddingModel, PHOTOS } from "../helpers/face-models.js";
import { freePort } from "../helpers/free-port.js";
import { startMosquitto } from "../helpers/mosquitto.js";
import { collectMqtt } from "../helpers/mqtt-collector.js";
import { requireFixtures, startRtspServer, type RtspServerHandle } from "../helpers/rtsp-server.js";

const run = promisify(execFile);
const BASE = "vigil/sf/gw-small-face";
/** sample1 is 1920x1280 and her face 191 px wide: scaled by 0.26 it is 50 px. */
const SCALE = 0.26;

async function ffmpegJpeg(args: string[], out: string): Promise<void> {
  await run("ffmpeg", ["-nostdin", "-v", "error", "-y", ...args, "-q:v", "2", "-frames:v", "1", out]);
}

void describe("a 50 px face in a 1080p picture is recognised (regions, head squares, working-resolution alignment)", () => {
  let dir: string;
  let rtsp: RtspServerHandle;
  let sub: RtspServerHandle;

  before(async () => {
    requireFixtures();
    dir = await mkdtemp(join(tmpdir(), "vigil-small-face-"));
    await mkdir(join(dir, "seq"));
    // The three people of sample1, a quarter size, in the lower left of a grey 1080p picture.
    const w = Math.round(1920 * SCALE);
    const h = Math.round(1280 * SCALE);
    await ffmpegJpeg(
      ["-i", join(PHOTOS, "sample1.jpg"), "-vf", `scale=${w}:${h},pad=1920:1080:300:600:color=0x808080`],
      join(dir, "seq", "00000.jpg"),
    );
    await copyFile(join(dir, "seq", "00000.jpg"), join(dir, "seq", "00001.jpg"));
    // The same picture as a 640x360 substream: her face is 17 px there.
    await mkdir(join(dir, "sub"));
    await ffmpegJpeg(["-i", join(dir, "seq", "00000.jpg"), "-vf", "scale=640:360"], join(dir, "sub", "00000.jpg"));
    await copyFile(join(dir, "sub", "00000.jpg"), join(dir, "sub", "00001.jpg"));
    // Enrolled from the original: her face cut out at full size, another rendering of her.
    await ffmpegJpeg(["-i", join(PHOTOS, "sample1.jpg"), "-vf", "crop=700:900:200:100"], join(dir, "her-face.jpg"));
    rtsp = await startRtspServer({ frames: join(dir, "seq", "%05d.jpg"), fps: 5 });
    sub = await startRtspServer({ frames: join(dir, "sub", "%05d.jpg"), fps: 5 });
  });
  after(async () => {
    await rtsp?.stop();
    await sub?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** Enrols her, then waits for her watchlist_face incident on camera `hall` as configured. */
  async function recognisedOn(hall: Record<string, unknown>): Promise<void> {
    const broker = await startMosquitto();
    const collector = await collectMqtt(broker.url, `${BASE}/incidents`);
    const box = await provisionBox({
      site: "sf",
      gateway: "gw-small-face",
      http: { listen: `127.0.0.1:${await freePort()}` },
      mqtt: { brokers: [broker.url] },
      faces: { enabled: true },
      rules: { watchlist_face: { enabled: true, next_step: "notify" } },
      cameras: [{ id: "hall", url: rtsp.url, ...hall }],
    });
    try {
      const daemon = box.start();
      await daemon.waitForLog((l) => l.msg === "started", 30_000);
      const enrolled = await runCli([
        "watchlist",
        "enroll",
        "--name",
        "Ada Example",
        join(dir, "her-face.jpg"),
        "--json",
        "--config",
        box.configPath,
      ]);
      assert.equal(enrolled.code, 0, enrolled.stdout + enrolled.stderr);
      const { person } = JSON.parse(enrolled.stdout) as { person: PersonRecord };
      const msg = await collector.waitFor((m) => {
        const e = m.json() as Envelope<Incident>;
        return e.data.rule === "watchlist_face" && e.data.identity?.person_id === person.id;
      }, 60_000);
      const incident = (msg.json() as Envelope<Incident>).data;
      const { matchThreshold } = await embeddingModel();
      const similarity = incident.identity?.similarity ?? 0;
      console.log(
        `50 px face in 1080p, camera ${JSON.stringify(hall)}: similarity ${similarity} (threshold ${matchThreshold})`,
      );
      assert.ok(similarity >= matchThreshold, `similarity ${similarity} below ${matchThreshold}`);
      // Where she is: the left face of the quarter-size photo, near x = (300 + 418 * 0.26) / 1920.
      const face = incident.objects.find((o) => o.label === "face") ?? incident.objects[0];
      assert.ok(face, JSON.stringify(incident.objects));
      const widthPx = (face.box.x2 - face.box.x1) * 1920;
      assert.ok(widthPx > 35 && widthPx < 70, `face ${widthPx} px wide`);
      assert.ok(Math.abs(face.box.x1 * 1920 - (300 + 418 * SCALE)) < 20, JSON.stringify(face.box));
      daemon.signal("SIGTERM");
      assert.equal(await daemon.exited, 0);
    } finally {
      await collector.close();
      await box.cleanup();
      await broker.stop();
    }
  }

  void it("without a substream (working frame 1280x720, her face 33 px), her incident names her above the threshold", async () => {
    await recognisedOn({ detect: { fps: 5 } });
  });

  void it("detecting on a 640x360 substream (her face 17 px), faces come from the main stream's snapshot and she is named", async () => {
    await recognisedOn({ substream_url: sub.url, detect: { fps: 5 }, snapshot: { fps: 2, keyframes_only: false } });
  });
});
