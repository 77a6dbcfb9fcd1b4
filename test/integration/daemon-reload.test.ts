// `systemctl reload` (SIGHUP) on a box with a streaming camera: a camera added to the config
// starts, a removed one stops, and the camera that did not change keeps streaming without a
// restart; a camera the detector cannot take is refused and nothing changes.
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { parse, stringify } from "yaml";
import { provisionBox, type DaemonHandle, type LogLine, type TestBox } from "../helpers/daemon.js";
import { freePort } from "../helpers/free-port.js";
import { fixturePath, requireFixtures, type RtspServerHandle, startRtspServer } from "../helpers/rtsp-server.js";

let rtsp: RtspServerHandle;
let box: TestBox;
let daemon: DaemonHandle;

const state = (camera: string, s: string) => (l: LogLine) =>
  l.msg === "camera state" && l.camera === camera && l.state === s;

async function rewrite(change: (doc: Record<string, unknown>) => Record<string, unknown>): Promise<void> {
  const doc = parse(await readFile(box.configPath, "utf8")) as Record<string, unknown>;
  await writeFile(box.configPath, stringify(change(doc)));
}

before(async () => {
  requireFixtures();
  rtsp = await startRtspServer({ frames: fixturePath("sequences", "faces-cycle", "%05d.jpg"), fps: 10 });
  box = await provisionBox({
    site: "hq",
    gateway: "gw-reload",
    http: { listen: `127.0.0.1:${await freePort()}` },
    cameras: [{ id: "door", url: rtsp.url, detect: { fps: 5 } }],
  });
  daemon = box.start();
  await daemon.waitForLog(state("door", "online"), 30_000);
});
after(async () => {
  await box.cleanup();
  await rtsp.stop();
});

void describe("config reload with cameras (SIGHUP)", () => {
  void it("adds a camera without touching the one that streams", async () => {
    const doorLines = () => daemon.logs.filter((l) => l.camera === "door" && l.msg === "camera state").length;
    const before = doorLines();
    await rewrite((doc) => ({
      ...doc,
      cameras: [...(doc.cameras as unknown[]), { id: "yard", url: rtsp.url, detect: { fps: 5 } }],
    }));
    daemon.signal("SIGHUP");
    const reloaded = await daemon.waitForLog((l) => l.msg === "config reloaded", 10_000);
    assert.deepEqual(reloaded.applied, { cameras: { added: ["yard"], removed: [], restarted: [] } });
    await daemon.waitForLog(state("yard", "online"), 30_000);
    assert.equal(doorLines(), before, "door changed state during the reload");
  });

  void it("removes a camera, and refuses a camera whose config is invalid", async () => {
    await rewrite((doc) => ({
      ...doc,
      cameras: (doc.cameras as Array<{ id: string }>).filter((c) => c.id !== "yard"),
    }));
    daemon.signal("SIGHUP");
    const removed = await daemon.waitForLog(
      (l) => l.msg === "config reloaded" && JSON.stringify(l.applied).includes('"removed":["yard"]'),
      10_000,
    );
    assert.ok(removed);
    await rewrite((doc) => ({
      ...doc,
      cameras: [...(doc.cameras as unknown[]), { id: "odd", url: rtsp.url, detect: { fps: 5, max_regions: 0 } }],
    }));
    daemon.signal("SIGHUP");
    const refused = await daemon.waitForLog((l) => l.msg === "config reload refused; the running config stays", 10_000);
    assert.ok(JSON.stringify(refused).includes("VIGIL_E_CONFIG_INVALID"));
    assert.equal(daemon.logs.filter(state("odd", "starting")).length, 0);
  });
});
