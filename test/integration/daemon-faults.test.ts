import assert from "node:assert/strict";
import { appendFile, cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Envelope } from "../../src/contract/envelope.js";
import type { Incident } from "../../src/contract/incident.js";
import { provisionBox, runCli, type LogLine } from "../helpers/daemon.js";
import { startMosquitto } from "../helpers/mosquitto.js";
import { collectMqtt, type CollectedMessage } from "../helpers/mqtt-collector.js";
import { freePort } from "../helpers/free-port.js";
import { fixturePath, requireFixtures, startRtspServer, type RtspServerHandle } from "../helpers/rtsp-server.js";

const MODELS = resolve(import.meta.dirname, "..", "..", "..", "models");

void describe("faults an installer or a site causes", () => {
  void it("a bad config exits 78 and names the key path", async () => {
    const dir = await mkdtemp(join(tmpdir(), "vigil-badcfg-"));
    try {
      const path = join(dir, "vigil.yaml");
      await writeFile(path, "site: hq\ngateway: gw-01\ncameras:\n  - id: Lobby Cam\n    url: rtsp://10.0.0.1/s\n");
      const r = await runCli(["run", "--config", path]);
      assert.equal(r.code, 78);
      assert.match(r.stderr, /VIGIL_E_CONFIG_INVALID/);
      assert.match(r.stderr, /cameras\[0\]\.id/);

      const check = await runCli(["config", "check", "--config", path, "--json"]);
      assert.equal(check.code, 78);
      const body = JSON.parse(check.stdout) as { ok: boolean; error: { code: string; details: { path: string } } };
      assert.equal(body.error.code, "VIGIL_E_CONFIG_INVALID");
      assert.equal(body.error.details.path, "cameras[0].id");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  void it("a weak secret is refused at start with exit 78", async () => {
    const box = await provisionBox({ site: "hq", gateway: "gw-01", http: { listen: `127.0.0.1:${await freePort()}` } });
    try {
      await writeFile(join(box.dir, "secrets", "audit_hmac_key"), "changeme\n");
      const r = await runCli(["run", "--config", box.configPath]);
      assert.equal(r.code, 78);
      assert.match(r.stderr, /VIGIL_E_SECRET_WEAK/);
      assert.match(r.stderr, /audit_hmac_key/);
    } finally {
      await box.cleanup();
    }
  });

  void it("a corrupt model file stops the start with exit 78 and the hash mismatch", async () => {
    const models = await mkdtemp(join(tmpdir(), "vigil-models-"));
    const box = await provisionBox({
      site: "hq",
      gateway: "gw-01",
      models_dir: models,
      http: { listen: `127.0.0.1:${await freePort()}` },
    });
    try {
      await cp(MODELS, models, { recursive: true });
      // The default detector's file, as a bad copy or a disk error would leave it.
      await appendFile(join(models, "nanodet", "nanodet-g-416.onnx"), Buffer.from("tampered"));
      const daemon = box.start();
      const fatal = await daemon.waitForLog((l) => l.msg === "start failed", 20_000);
      assert.equal((fatal.err as { code?: string }).code, "VIGIL_E_MODEL_HASH_MISMATCH");
      assert.equal(await daemon.exited, 78);
    } finally {
      await box.cleanup();
      await rm(models, { recursive: true, force: true });
    }
  });

  void describe("a camera that stalls", () => {
    let rtsp: RtspServerHandle;
    before(async () => {
      requireFixtures();
      rtsp = await startRtspServer({ frames: fixturePath("sequences", "face-steady", "%05d.jpg"), fps: 10 });
    });
    after(async () => {
      rtsp?.resume();
      await rtsp?.stop();
    });

    void it("is detected by the watchdog, restarted, reported to central as offline and back online", async () => {
      const httpPort = await freePort();
      const broker = await startMosquitto();
      const alerts = await collectMqtt(broker.url, "vigil/hq/gw-01/+");
      const box = await provisionBox({
        site: "hq",
        gateway: "gw-01",
        http: { listen: `127.0.0.1:${httpPort}` },
        mqtt: { brokers: [broker.url] },
        ingest: { stall_timeout_s: 2, start_timeout_s: 20, socket_timeout_s: 5, offline_alert_s: 3 },
        cameras: [{ id: "yard", url: rtsp.url, detect: { fps: 5 } }],
      });
      const isAlert = (type: string) => (m: CollectedMessage) =>
        m.topic === "vigil/hq/gw-01/alerts" && (m.json() as Envelope).type === type;
      try {
        const daemon = box.start();
        const isState = (state: string) => (l: LogLine) =>
          l.msg === "camera state" && l.camera === "yard" && l.state === state;
        await daemon.waitForLog(isState("online"), 30_000);
        const onlineCount = daemon.logs.filter(isState("online")).length;
        rtsp.pause();
        await daemon.waitForLog(isState("stalled"), 15_000);
        const stalled = await daemon.waitForLog((l) => l.msg === "camera stalled; restarting ffmpeg", 5_000);
        assert.ok(
          Array.isArray(stalled.stderr) && stalled.stderr.length > 0,
          "the stall is logged with ffmpeg's recent stderr",
        );
        // The HTTP API and the daemon stay up while the camera is down.
        assert.equal((await fetch(`http://127.0.0.1:${httpPort}/healthz`)).status, 200);
        // Down past offline_alert_s: the central server hears of it, and operators get an incident.
        const offline = (await alerts.waitFor(isAlert("camera.offline"), 20_000)).json() as Envelope<{
          camera_id: string;
        }>;
        assert.equal(offline.data.camera_id, "yard");
        const fault = (
          await alerts.waitFor(
            (m) =>
              m.topic === "vigil/hq/gw-01/incidents" && (m.json() as Envelope<Incident>).data.rule === "camera_fault",
            10_000,
          )
        ).json() as Envelope<Incident>;
        assert.equal(fault.data.camera_id, "yard");
        rtsp.resume();
        await daemon.waitForLog(
          (l) => isState("online")(l) && daemon.logs.filter(isState("online")).length > onlineCount,
          60_000,
        );
        await alerts.waitFor(isAlert("camera.online"), 20_000);
        await alerts.waitFor(
          (m) =>
            m.topic === "vigil/hq/gw-01/incidents" &&
            (m.json() as Envelope<Incident>).data.id === fault.data.id &&
            (m.json() as Envelope<Incident>).data.ended_at !== null,
          10_000,
        );
      } finally {
        await alerts.close();
        await box.cleanup();
        await broker.stop();
      }
    });
  });
});
