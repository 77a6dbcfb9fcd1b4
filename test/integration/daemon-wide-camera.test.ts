// A wide 4K camera whose people are too small for the model once the whole frame is shrunk into
// it (9-12 px tall in 416x416): detection on regions at the working resolution still finds them,
// each at its own size and place, and raises the incident. Real NanoDet, the GStreamer RTSP
// server, ffmpeg, LevelDB and mosquitto. (bench/regions.bench.ts counts people per frame against
// the whole-frame pass on the same frames: a whole-frame pass on such a picture finds at best a
// blob of several people now and then.)
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import type { Envelope } from "../../src/contract/envelope.js";
import type { Incident } from "../../src/contract/incident.js";
import { provisionBox, runCli } from "../helpers/daemon.js";
import { freePort } from "../helpers/free-port.js";
import { startMosquitto } from "../helpers/mosquitto.js";
import { collectMqtt } from "../helpers/mqtt-collector.js";
import { fixturePath, requireFixtures, startRtspServer, type RtspServerHandle } from "../helpers/rtsp-server.js";

const run = promisify(execFile);
const BASE = "vigil/wide/gw-wide";

void describe("a wide camera: people too small for the whole-frame pass (real NanoDet, RTSP, ffmpeg, mosquitto)", () => {
  let dir: string;
  let servers: RtspServerHandle[] = [];

  before(async () => {
    requireFixtures();
    dir = await mkdtemp(join(tmpdir(), "vigil-wide-"));
    // OpenCV's pedestrians (80-110 px tall) unchanged in the middle of a 3840x2160 picture: shrunk
    // whole into 416x416 they are 9-12 px tall, below what the model can see.
    await run("ffmpeg", [
      "-v",
      "error",
      "-y",
      "-ss",
      "2",
      "-t",
      "40",
      "-i",
      fixturePath("vtest.avi"),
      "-vf",
      "fps=5,pad=3840:2160:(ow-iw)/2:(oh-ih)/2:color=0x808080",
      "-c:v",
      "libx264",
      "-preset",
      "ultrafast",
      "-tune",
      "zerolatency",
      "-g",
      "5",
      "-pix_fmt",
      "yuv420p",
      join(dir, "wide.mp4"),
    ]);
    servers = [await startRtspServer({ h264File: join(dir, "wide.mp4") })];
  });
  after(async () => {
    for (const s of servers) await s.stop();
    await rm(dir, { recursive: true, force: true });
  });

  void it("regions at 1920x1080 find the people, each at its size and place, and raise the incident", async () => {
    const [httpPort, brokerPort] = [await freePort(), await freePort()];
    const broker = await startMosquitto({ port: brokerPort });
    const collector = await collectMqtt(broker.url, `${BASE}/incidents`);
    const zone = {
      id: "plaza",
      name: "Plaza",
      polygon: [
        [0, 0],
        [1, 0],
        [1, 1],
        [0, 1],
      ] as Array<[number, number]>,
    };
    const url = servers[0]?.url ?? "";
    const box = await provisionBox({
      site: "wide",
      gateway: "gw-wide",
      http: { listen: `127.0.0.1:${httpPort}` },
      mqtt: { brokers: [`mqtt://127.0.0.1:${brokerPort}`] },
      rules: {
        zones: [{ id: "plaza-regions", kind: "restricted", camera: "wide", zone: "plaza", labels: ["person"] }],
        tracker: { min_frames: 3 },
      },
      cameras: [{ id: "wide", url, detect: { fps: 5, width: 1920, height: 1920 }, zones: [zone] }],
    });
    try {
      const daemon = box.start();
      await daemon.waitForLog((l) => l.msg === "started", 30_000);
      const msg = await collector.waitFor(
        (m) => (m.json() as Envelope<Incident>).data.rule === "plaza-regions",
        90_000,
      );
      const incident = (msg.json() as Envelope<Incident>).data;
      assert.equal(incident.camera_id, "wide");
      assert.ok(
        incident.objects.length >= 1 && incident.objects.every((o) => o.label === "person"),
        JSON.stringify(incident.objects),
      );
      // Every person the regions found stands in the middle 768x576 of the 3840x2160 picture.
      for (const o of incident.objects) {
        const cx = (o.box.x1 + o.box.x2) / 2;
        const cy = (o.box.y1 + o.box.y2) / 2;
        assert.ok(
          cx > 0.39 && cx < 0.61 && cy > 0.36 && cy < 0.64,
          `person outside the clip: ${JSON.stringify(o.box)}`,
        );
        assert.ok((o.box.y2 - o.box.y1) * 2160 < 150, `a 80-110 px person measured ${(o.box.y2 - o.box.y1) * 2160} px`);
      }
      // Health says the frames' working size and counts the regions the detector ran.
      const doc = JSON.parse((await runCli(["health", "--json", "--config", box.configPath])).stdout) as {
        cameras: Record<string, { working_size: unknown; region_crops: number; full_frame_passes: number }>;
      };
      const wide = doc.cameras.wide;
      assert.deepEqual(wide?.working_size, { width: 1920, height: 1080 });
      assert.ok((wide?.region_crops ?? 0) > 0 && (wide?.full_frame_passes ?? 0) > 0, JSON.stringify(wide));
      daemon.signal("SIGTERM");
      assert.equal(await daemon.exited, 0);
    } finally {
      await collector.close();
      await box.cleanup();
      await broker.stop();
    }
  });
});
