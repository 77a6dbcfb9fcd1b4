// A camera that only pushes JPEGs needs no stream URL: the one schema and the one loader (used by
// `vigil config check` and `vigil run` alike) accept it, and nothing tries to read a stream for it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildConfig } from "../../src/config/loader.js";
import { ErrorCodes } from "../../src/core/errors.js";
import { cameraArgv } from "../../src/ingest/camera-argv.js";
import { registeredCameraView } from "../../src/ingest/camera-registry-view.js";
import { expectVigil } from "../helpers/expect-vigil.js";

const MINIMAL = { site: "hq", gateway: "gw-01" };
const ZONE = {
  id: "door",
  polygon: [
    [0, 0],
    [1, 0],
    [1, 1],
  ],
};

void describe("push-only cameras (no stream url)", () => {
  void it("load with zones and rules, and show a null url", () => {
    const config = buildConfig(
      {
        ...MINIMAL,
        cameras: [{ id: "kiosk", zones: [ZONE] }],
        rules: { zones: [{ id: "kiosk-door", kind: "restricted", camera: "kiosk", zone: "door" }] },
      },
      {},
      "/etc/vigil",
    );
    const cam = config.cameras[0];
    assert.ok(cam);
    assert.equal(cam.url, undefined);
    assert.equal(cam.push.auth, "either");
    assert.equal(registeredCameraView({ camera: cam, origin: "config", probe: null }).url, null);
  });

  void it("a substream without its main url is refused, naming the field", () => {
    const err = expectVigil(
      () =>
        buildConfig({ ...MINIMAL, cameras: [{ id: "kiosk", substream_url: "rtsp://10.0.0.5/sub" }] }, {}, "/etc/vigil"),
      ErrorCodes.CONFIG_INVALID,
    );
    assert.match(err.message, /cameras\[0\]\.url/);
  });

  void it("never build an ffmpeg command line", () => {
    const cam = buildConfig({ ...MINIMAL, cameras: [{ id: "kiosk" }] }, {}, "/etc/vigil").cameras[0];
    assert.ok(cam);
    assert.throws(() => cameraArgv(cam, undefined, { socketTimeoutS: 5, snapshots: true }), /push only/);
  });
});
