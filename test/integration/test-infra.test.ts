// Checks the test infrastructure itself against real servers, so a failing integration test
// points at the daemon rather than at a camera or broker that never worked.
import { execFile } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import assert from "node:assert/strict";
import { test } from "node:test";
import { connectAsync } from "mqtt";
import { freePort } from "../helpers/free-port.js";
import { startMosquitto } from "../helpers/mosquitto.js";
import { collectMqtt } from "../helpers/mqtt-collector.js";
import { fixturePath, requireFixtures, startRtspServer } from "../helpers/rtsp-server.js";

const run = promisify(execFile);

void test("RTSP test server streams the faces-cycle sequence over TCP in real time", async (t) => {
  requireFixtures();
  const cam = await startRtspServer({ frames: fixturePath("sequences", "faces-cycle", "%05d.jpg"), fps: 10 });
  t.after(() => cam.stop());
  assert.match(cam.url, /^rtsp:\/\/127\.0\.0\.1:\d+\/cam$/);

  const t0 = performance.now();
  await run(
    "ffmpeg",
    ["-nostdin", "-v", "error", "-rtsp_transport", "tcp", "-i", cam.url, "-frames:v", "20", "-f", "null", "-"],
    { timeout: 20_000 },
  );
  const seconds = (performance.now() - t0) / 1000;
  // 20 frames at 10 fps is 2 s plus connect and the wait for a key frame; an unpaced source
  // would deliver them in a few milliseconds.
  assert.ok(seconds > 1 && seconds < 6, `20 frames took ${seconds.toFixed(2)} s`);
});

void test("mosquitto round trip, and the collector survives a broker restart on the same port", async (t) => {
  const port = await freePort();
  let broker = await startMosquitto({ port });
  t.after(() => broker.kill());
  assert.equal(broker.url, `mqtt://127.0.0.1:${port}`);

  const collector = await collectMqtt(broker.url, "vigil/test/#");
  t.after(() => collector.close());

  const pub1 = await connectAsync(broker.url, { reconnectPeriod: 0 });
  await pub1.publishAsync("vigil/test/a", JSON.stringify({ n: 1 }), { qos: 1 });
  const m1 = await collector.waitFor((m) => m.topic === "vigil/test/a", 5_000);
  assert.deepEqual(m1.json(), { n: 1 });
  await pub1.endAsync(true);

  await broker.stop();
  broker = await startMosquitto({ port });

  // The collector resubscribes on its own after reconnecting; publish until it is back.
  const pub2 = await connectAsync(broker.url, { reconnectPeriod: 0 });
  t.after(() => pub2.endAsync(true));
  const got = collector.waitFor((m) => m.topic === "vigil/test/b", 10_000);
  let stop = false;
  void got.finally(() => (stop = true)).catch(() => undefined);
  while (!stop) {
    await pub2.publishAsync("vigil/test/b", JSON.stringify({ n: 2 }), { qos: 1 });
    await sleep(100);
  }
  assert.deepEqual((await got).json(), { n: 2 });
  assert.deepEqual(
    collector.messages.map((m) => m.topic).filter((x) => x === "vigil/test/a"),
    ["vigil/test/a"],
  );
});
