// `vigil camera add|list|set|remove` against a box: offline (on the store; the next start runs
// the cameras) and with the daemon running (through its admin socket; changes apply at once).
import assert from "node:assert/strict";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { provisionBox, runCli, type DaemonHandle, type LogLine, type TestBox } from "../helpers/daemon.js";
import { freePort } from "../helpers/free-port.js";
import { fixturePath, requireFixtures, type RtspServerHandle, startRtspServer } from "../helpers/rtsp-server.js";

let rtsp: RtspServerHandle;
let box: TestBox;
let daemon: DaemonHandle | undefined;

const state = (camera: string, s: string) => (l: LogLine) =>
  l.msg === "camera state" && l.camera === camera && l.state === s;
const vigil = (args: string[], stdin = "") => runCli([...args, "--config", box.configPath], {}, stdin);
type Row = {
  id: string;
  origin: string;
  enabled: boolean;
  state: string;
  probe: { codec: string; width: number; height: number } | null;
};
const listed = async (): Promise<Row[]> => {
  const r = await vigil(["camera", "list", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { cameras: Row[] }).cameras;
};

before(async () => {
  requireFixtures();
  rtsp = await startRtspServer({ frames: fixturePath("sequences", "faces-cycle", "%05d.jpg"), fps: 10 });
  box = await provisionBox({
    site: "hq",
    gateway: "gw-cli-cams",
    http: { listen: `127.0.0.1:${await freePort()}` },
    cameras: [{ id: "door", url: rtsp.url, detect: { fps: 5 } }],
  });
});
after(async () => {
  await box.cleanup();
  await rtsp.stop();
});

void describe("vigil camera", () => {
  void it("adds, lists and refuses cameras while no daemon runs", async () => {
    const added = await vigil([
      "camera",
      "add",
      "yard",
      "--url",
      rtsp.url,
      "--name",
      "Yard",
      "--detect-fps",
      "5",
      "--json",
    ]);
    assert.equal(added.code, 0, added.stdout + added.stderr);
    const { probe } = (JSON.parse(added.stdout) as { camera: Row }).camera;
    assert.deepEqual({ ...probe, probed_at: "-" }, { codec: "h264", width: 640, height: 480, fps: 10, probed_at: "-" });

    const gate = await vigil(
      [
        "camera",
        "add",
        "gate",
        "--url",
        `rtsp://127.0.0.1:${await freePort()}/s`,
        "--credentials-stdin",
        "--no-probe",
        "--disabled",
      ],
      "gate:Pa55-word\n",
    );
    assert.equal(gate.code, 0, gate.stderr);
    const cred = await stat(join(box.dir, "secrets", "camera-gate.cred"));
    assert.equal(cred.mode & 0o777, 0o600);

    assert.deepEqual(
      (await listed()).map((c) => [c.id, c.origin, c.enabled, c.state]),
      [
        ["door", "config", true, "not running"],
        ["gate", "runtime", false, "not running"],
        ["yard", "runtime", true, "not running"],
      ],
    );

    const provisioned = await vigil(["camera", "remove", "door"]);
    assert.equal(provisioned.code, 1);
    assert.match(provisioned.stderr, /VIGIL_E_CAMERA_PROVISIONED/);
    const unreadable = await vigil([
      "camera",
      "add",
      "bad",
      "--url",
      `rtsp://127.0.0.1:${await freePort()}/s`,
      "--json",
    ]);
    assert.equal(unreadable.code, 1);
    assert.equal(
      (JSON.parse(unreadable.stdout) as { error: { code: string } }).error.code,
      "VIGIL_E_CAMERA_PROBE_FAILED",
    );
    const duplicate = await vigil(["camera", "add", "yard", "--url", rtsp.url, "--no-probe"]);
    assert.match(duplicate.stderr, /VIGIL_E_ALREADY_EXISTS/);
  });

  void it("with the daemon running: stored cameras start with it, and changes apply at once", async () => {
    daemon = box.start();
    await daemon.waitForLog(state("yard", "online"), 30_000);
    await daemon.waitForLog(state("door", "online"), 30_000);
    const rows = await listed();
    assert.deepEqual(
      rows.map((c) => [c.id, c.state]),
      [
        ["door", "online"],
        ["gate", "disabled"],
        ["yard", "online"],
      ],
    );

    const disabled = await vigil(["camera", "set", "yard", "--disabled"]);
    assert.equal(disabled.code, 0, disabled.stderr);
    await daemon.waitForLog(state("yard", "disabled"), 10_000);

    const removed = await vigil(["camera", "remove", "gate", "--json"]);
    assert.equal(removed.code, 0, removed.stderr);
    assert.deepEqual(JSON.parse(removed.stdout), { removed: "gate", revoked_keys: [] });
    await assert.rejects(
      stat(join(box.dir, "secrets", "camera-gate.cred")),
      "the credentials file Vigil wrote goes with the camera",
    );
    assert.deepEqual(
      (await listed()).map((c) => c.id),
      ["door", "yard"],
    );
  });

  void it("every verb has --help", async () => {
    for (const verb of ["add", "list", "set", "remove"]) {
      const r = await runCli(["camera", verb, "--help"]);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /--config/);
    }
    assert.match((await runCli(["camera", "add", "--help"])).stdout, /--no-probe/);
  });
});
