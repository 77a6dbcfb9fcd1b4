// `POST /v1/cameras/:id/detect`: the detection preview on a running daemon (real NanoDet): the
// push camera's newest frame (darknet's person.jpg), and an uploaded JPEG; where the detector
// looked, what it found, the zone and rule it would feed; admins only; coded errors.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { type ConsoleBox, startConsoleBox } from "../helpers/console-box.js";
import { fixturePath } from "../helpers/rtsp-server.js";

interface Preview {
  camera: string;
  working_size: { width: number; height: number };
  passes: Array<{ regions: Array<{ kind: string }>; detections: number }>;
  detections: Array<{ label: string; score: number; zones: Array<{ zone: string; rules: string[] }> }>;
}

void describe("detection preview (POST /v1/cameras/:id/detect, real daemon and NanoDet)", () => {
  let box: ConsoleBox;
  before(async () => {
    box = await startConsoleBox();
  });
  after(async () => {
    await box?.cleanup();
  });

  void it("on the camera's newest frame: the whole-frame pass, the crop around the person, the zone and rule", async () => {
    await box.raiseIntrusion();
    const admin = await box.token(box.users.admin);
    const r = await box.api<Preview>("/v1/cameras/gate/detect", {
      method: "POST",
      token: admin,
      body: JSON.stringify({}),
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.working_size, { width: 640, height: 424 });
    assert.deepEqual(
      r.body.passes.map((p) => p.regions.map((g) => g.kind)),
      [["full"], ["crop"]],
    );
    const person = r.body.detections.find((d) => d.label === "person");
    assert.ok(person, JSON.stringify(r.body));
    assert.deepEqual(person.zones, [{ zone: "floor", rules: ["intrusion"] }]);
  });

  void it("on an uploaded JPEG; viewers and operators are refused; unknown cameras and non-JPEGs are coded errors", async () => {
    const jpeg = (await readFile(fixturePath("photos", "person.jpg"))).toString("base64");
    const admin = await box.token(box.users.admin);
    const uploaded = await box.api<Preview>("/v1/cameras/yard/detect", {
      method: "POST",
      token: admin,
      body: JSON.stringify({ jpeg_base64: jpeg }),
    });
    assert.equal(uploaded.status, 200, JSON.stringify(uploaded.body));
    assert.ok(uploaded.body.detections.some((d) => d.label === "person" && d.zones.length === 0));
    const operator = await box.api("/v1/cameras/gate/detect", {
      method: "POST",
      token: await box.token(box.users.operator),
      body: JSON.stringify({}),
    });
    assert.equal(operator.status, 403);
    const unknown = await box.api<{ error: { code: string } }>("/v1/cameras/nope/detect", {
      method: "POST",
      token: admin,
      body: JSON.stringify({}),
    });
    assert.deepEqual([unknown.status, unknown.body.error.code], [404, "VIGIL_E_CAMERA_UNKNOWN"]);
    const notJpeg = await box.api<{ error: { code: string } }>("/v1/cameras/gate/detect", {
      method: "POST",
      token: admin,
      body: JSON.stringify({ jpeg_base64: Buffer.from("hello there").toString("base64") }),
    });
    assert.deepEqual([notJpeg.status, notJpeg.body.error.code], [400, "VIGIL_E_VALIDATION"]);
  });
});
