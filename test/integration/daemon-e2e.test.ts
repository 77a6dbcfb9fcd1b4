import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { isEnvelope, type Envelope } from "../../src/contract/envelope.js";
import type { Incident } from "../../src/contract/incident.js";
import { join } from "node:path";
import { provisionBox, runCli, type DaemonHandle, type LogLine, type TestBox } from "../helpers/daemon.js";
import { freePort } from "../helpers/free-port.js";
import { startMosquitto, type MosquittoHandle } from "../helpers/mosquitto.js";
import { collectMqtt, type CollectedMessage, type MqttCollector } from "../helpers/mqtt-collector.js";
import { fixturePath, requireFixtures, startRtspServer, type RtspServerHandle } from "../helpers/rtsp-server.js";

const SITE = "e2e";
const GATEWAY = "gw-test";
const BASE = `vigil/${SITE}/${GATEWAY}`;

function boxConfig(httpPort: number, brokerPort: number, cameraUrl: string): Record<string, unknown> {
  return {
    site: SITE,
    gateway: GATEWAY,
    log: { level: "info" },
    http: { listen: `127.0.0.1:${httpPort}` },
    mqtt: { brokers: [`mqtt://127.0.0.1:${brokerPort}`] },
    // Faces, not people: the face detector as the camera detector, as on a door-entry box.
    detector: { model: "blazeface-back-256", score_threshold: 0.6 },
    rules: { face_presence: { min_frames: 3, clear_frames: 5 } },
    ingest: { stall_timeout_s: 5 },
    cameras: [{ id: "door", url: cameraUrl, detect: { fps: 5 } }],
  };
}

const isIncidentStored = (type: string) => (l: LogLine) => l.msg === "incident stored" && l.type === type;

function incidentEnvelopes(c: MqttCollector): Envelope<Incident>[] {
  return c.messages.filter((m) => m.topic === `${BASE}/incidents`).map((m) => m.json() as Envelope<Incident>);
}

const isIncidentMessage = (id: string) => (m: CollectedMessage) =>
  m.topic === `${BASE}/incidents` && (m.json() as Envelope<Incident>).data.id === id;

void describe("camera to MQTT, end to end (real RTSP server, ffmpeg, ONNX model, LevelDB, mosquitto)", () => {
  let rtsp: RtspServerHandle;

  before(async () => {
    requireFixtures();
    rtsp = await startRtspServer({ frames: fixturePath("sequences", "faces-cycle", "%05d.jpg"), fps: 10 });
  });
  after(async () => {
    await rtsp?.stop();
  });

  void it("a face on the camera becomes an incident on the broker, with a valid envelope and retained status", async () => {
    const [httpPort, brokerPort] = [await freePort(), await freePort()];
    const broker = await startMosquitto({ port: brokerPort });
    const collector = await collectMqtt(broker.url, `${BASE}/#`);
    const box = await provisionBox(boxConfig(httpPort, brokerPort, rtsp.url));
    try {
      const daemon = box.start();
      await daemon.waitForLog((l) => l.msg === "started", 20_000);
      const early = await fetch(`http://127.0.0.1:${httpPort}/readyz`);
      const earlyBody = (await early.json()) as { ready: boolean };
      if (!earlyBody.ready) assert.equal(early.status, 503);

      const online = await collector.waitFor(
        (m) => m.topic === `${BASE}/status` && (m.json() as { state: string }).state === "online",
        20_000,
      );
      assert.equal(online.qos, 1);
      const health = await collector.waitFor((m) => m.topic === `${BASE}/health`, 20_000);
      const healthDoc = health.json() as { version: string; readiness: { ready: boolean }; outbox: { policy: string } };
      assert.equal(typeof healthDoc.version, "string");
      assert.equal(healthDoc.outbox.policy, "shed-alerts-then-refuse-incidents");
      // A consumer that subscribes later still finds the last status and health: both are retained.
      const late = await collectMqtt(broker.url, `${BASE}/+`);
      try {
        await late.waitFor((m) => m.topic === `${BASE}/health` && m.retain, 10_000);
        await late.waitFor((m) => m.topic === `${BASE}/status` && m.retain, 10_000);
      } finally {
        await late.close();
      }
      const msg = await collector.waitFor((m) => m.topic === `${BASE}/incidents`, 40_000);
      const envelope = msg.json();
      assert.ok(isEnvelope(envelope), `not an envelope: ${msg.payload.toString()}`);
      assert.equal(envelope.stream, "incidents");
      assert.equal(envelope.type, "incident.created");
      assert.equal(envelope.site, SITE);
      assert.equal(envelope.gateway, GATEWAY);
      const incident = envelope.data as Incident;
      assert.equal(incident.camera_id, "door");
      assert.equal(incident.rule, "face_present");
      assert.equal(incident.status, "open");
      assert.equal(incident.next_step, "monitor");
      assert.ok(incident.objects.length >= 1 && incident.objects.every((o) => o.label === "face" && o.score >= 0.6));
      const box0 = incident.objects[0]?.box;
      assert.ok(box0 && box0.x1 >= 0 && box0.x2 <= 1 && box0.x1 < box0.x2 && box0.y1 < box0.y2);

      const ready = await fetch(`http://127.0.0.1:${httpPort}/readyz`);
      assert.equal(ready.status, 200);
      assert.equal((await fetch(`http://127.0.0.1:${httpPort}/healthz`)).status, 200);

      // The same facts in Prometheus form, for the site's monitoring.
      const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
      const value = (line: RegExp): number =>
        Number(
          metrics
            .split("\n")
            .find((l) => line.test(l))
            ?.split(" ")
            .pop() ?? Number.NaN,
        );
      assert.ok(value(/^vigil_camera_frames_decoded_total\{camera="door"\} /) > 0, "decoded frames counted");
      assert.ok(value(/^vigil_detector_inference_seconds_count\{/) > 0, "inference time observed");
      assert.ok(
        value(/^vigil_incidents_total\{rule="face_present",type="incident.created"\} /) >= 1,
        "incidents counted",
      );
      assert.equal(value(/^vigil_camera_state\{camera="door",state="online"\} /), 1);
      assert.equal(value(/^vigil_mqtt_connected /), 1);

      daemon.signal("SIGTERM");
      assert.equal(await daemon.exited, 0);
      await collector.waitFor(
        (m) => m.topic === `${BASE}/status` && (m.json() as { state: string }).state === "stopped",
        10_000,
      );
    } finally {
      await collector.close();
      await box.cleanup();
      await broker.stop();
    }
  });

  void it("with the broker down, incidents wait on disk, survive kill -9, and arrive in order when it is back", async () => {
    const [httpPort, brokerPort] = [await freePort(), await freePort()];
    const box: TestBox = await provisionBox(boxConfig(httpPort, brokerPort, rtsp.url));
    let broker: MosquittoHandle | undefined;
    let collector: MqttCollector | undefined;
    let daemon: DaemonHandle | undefined;
    try {
      daemon = box.start();
      const stored = await daemon.waitForLog(isIncidentStored("incident.created"), 40_000);
      const storedId = String(stored.incident);
      // Acknowledged locally (fsynced), never seen by a broker: kill -9 must not lose it.
      daemon.signal("SIGKILL");
      assert.equal(await daemon.exited, "SIGKILL");

      broker = await startMosquitto({ port: brokerPort });
      collector = await collectMqtt(broker.url, `${BASE}/#`);
      daemon = box.start();
      await collector.waitFor(isIncidentMessage(storedId), 40_000);

      // An evidence pack of that incident, exported by the running daemon and verified by the CLI.
      const pack = join(box.dir, "evidence.zip");
      const exported = await runCli(["evidence", "export", storedId, "-o", pack, "--config", box.configPath, "--json"]);
      assert.equal(exported.code, 0, exported.stdout + exported.stderr);
      const verified = await runCli(["evidence", "verify", pack, "--config", box.configPath, "--json"]);
      assert.equal(verified.code, 0, verified.stdout + verified.stderr);
      assert.equal((JSON.parse(verified.stdout) as { ok: boolean }).ok, true);

      // Broker killed while the daemon runs: the next incident is stored and delivered on return.
      await broker.kill();
      const nextStored = await daemon.waitForLog(
        (l) => isIncidentStored("incident.created")(l) && l.incident !== storedId,
        40_000,
      );
      broker = await startMosquitto({ port: brokerPort });
      await collector.waitFor(isIncidentMessage(String(nextStored.incident)), 60_000);

      // Order per stream: first deliveries of each seq are increasing, and no seq is missing.
      const firstSeen: number[] = [];
      for (const e of incidentEnvelopes(collector)) if (!firstSeen.includes(e.seq)) firstSeen.push(e.seq);
      assert.deepEqual(
        firstSeen,
        [...firstSeen].sort((a, b) => a - b),
        `out of order: ${firstSeen.join(",")}`,
      );
      const max = Math.max(...firstSeen);
      assert.deepEqual(
        [...firstSeen].sort((a, b) => a - b),
        Array.from({ length: max }, (_, i) => i + 1),
        `gap in seqs: ${firstSeen.join(",")}`,
      );
    } finally {
      await collector?.close();
      await box.cleanup();
      await broker?.stop();
    }
  });
});
