// The default detector end to end: NanoDet-g on a camera showing people, a restricted zone rule on
// the tracker's objects, and the incident with its snapshot on the broker and in an evidence pack.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Envelope } from "../../src/contract/envelope.js";
import type { Incident } from "../../src/contract/incident.js";
import { provisionBox } from "../helpers/daemon.js";
import { freePort } from "../helpers/free-port.js";
import { startMosquitto } from "../helpers/mosquitto.js";
import { collectMqtt } from "../helpers/mqtt-collector.js";
import { fixturePath, requireFixtures, startRtspServer, type RtspServerHandle } from "../helpers/rtsp-server.js";

const BASE = "vigil/obj/gw-obj";

void describe("people on a camera with the default object detector (real NanoDet, RTSP, ffmpeg, LevelDB, mosquitto)", () => {
  let rtsp: RtspServerHandle;

  before(async () => {
    requireFixtures();
    // Three people (face-api's sample1), then a dog and a bicycle: the people make one incident.
    rtsp = await startRtspServer({ frames: fixturePath("sequences", "faces-cycle", "%05d.jpg"), fps: 10 });
  });
  after(async () => {
    await rtsp?.stop();
  });

  void it("a person in a restricted zone becomes an incident with its track id and a main-stream snapshot", async () => {
    const [httpPort, brokerPort] = [await freePort(), await freePort()];
    const broker = await startMosquitto({ port: brokerPort });
    const collector = await collectMqtt(broker.url, `${BASE}/incidents`);
    const box = await provisionBox({
      site: "obj",
      gateway: "gw-obj",
      http: { listen: `127.0.0.1:${httpPort}` },
      mqtt: { brokers: [`mqtt://127.0.0.1:${brokerPort}`] },
      rules: {
        zones: [{ id: "after-hours", kind: "restricted", camera: "lobby", zone: "floor", labels: ["person"] }],
        tracker: { min_frames: 3 },
      },
      cameras: [
        {
          id: "lobby",
          url: rtsp.url,
          detect: { fps: 5 },
          zones: [
            {
              id: "floor",
              name: "Lobby floor",
              polygon: [
                [0, 0],
                [1, 0],
                [1, 1],
                [0, 1],
              ],
            },
          ],
        },
      ],
    });
    try {
      const daemon = box.start();
      await daemon.waitForLog((l) => l.msg === "started", 30_000);
      const msg = await collector.waitFor((m) => (m.json() as Envelope<Incident>).data.rule === "after-hours", 60_000);
      const incident = (msg.json() as Envelope<Incident>).data;
      assert.equal(incident.camera_id, "lobby");
      assert.equal(incident.zone, "floor");
      assert.match(incident.summary, /restricted zone Lobby floor/);
      assert.ok(
        incident.objects.length >= 1 && incident.objects.every((o) => o.label === "person" && o.score >= 0.3),
        JSON.stringify(incident.objects),
      );
      assert.ok(incident.objects.every((o) => typeof o.track_id === "number"));
      // The snapshot is the main stream's JPEG (640x480 here), stored on disk with its hash.
      const snap = incident.snapshots?.[0];
      assert.ok(snap, `no snapshot on ${JSON.stringify(incident)}`);
      const jpeg = await readFile(join(box.dir, "data", snap.file));
      assert.equal(jpeg[0], 0xff);
      assert.equal(jpeg[1], 0xd8);
      daemon.signal("SIGTERM");
      assert.equal(await daemon.exited, 0);
    } finally {
      await collector.close();
      await box.cleanup();
      await broker.stop();
    }
  });
});
