import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { Value } from "@sinclair/typebox/value";
import { type CameraConfig, CameraSchema } from "../../src/config/schema.js";
import { ErrorCodes } from "../../src/core/errors.js";
import {
  cameraFromAdd,
  CameraPatchSchema,
  mergeCameras,
  needsProbe,
  patchCamera,
  type StoredCamera,
} from "../../src/ingest/camera-registry-rules.js";
import { expectVigil } from "../helpers/expect-vigil.js";

const cam = (id: string, url = `rtsp://10.0.0.1/${id}`): CameraConfig => ({
  id,
  url,
  enabled: true,
  detect: { fps: 5 },
  push: { auth: "either" },
});
const stored = (camera: CameraConfig): StoredCamera => ({
  camera,
  probe: null,
  credentials_managed: false,
  added_at: "t",
  added_by: "a",
  updated_at: "t",
  updated_by: "a",
});
/** What the camera schema fills in for ingest keys a camera does not set (substream, decode, motion, snapshots). */
const INGEST_DEFAULTS = {
  hwaccel: "none",
  hwaccel_codec: "h264",
  motion: { enabled: false, idle_fps: 0.2, min_area: 0.002, threshold: 20 },
  snapshot: { enabled: true, fps: 1, keyframes_only: true, quality: 5 },
} as const;
/** What the detect block's schema fills in: regions on, their cap, the whole-frame rate and scale. */
const REGION_DEFAULTS = { regions: true, max_regions: 4, full_frame_fps: 1, max_region_scale: 2 } as const;
const ids: fc.Arbitrary<string[]> = fc.uniqueArray(fc.constantFrom("a", "b", "c", "d", "e", "f"), { maxLength: 6 });

void describe("camera registry rules", () => {
  void it("merges config and runtime cameras: the config wins a clash and the hidden one is named", () => {
    const merged = mergeCameras(
      [cam("door"), cam("yard")],
      [stored(cam("gate")), stored(cam("yard", "rtsp://other/x"))],
    );
    assert.deepEqual(
      merged.cameras.map((c) => [c.camera.id, c.origin, c.camera.url]),
      [
        ["door", "config", "rtsp://10.0.0.1/door"],
        ["yard", "config", "rtsp://10.0.0.1/yard"],
        ["gate", "runtime", "rtsp://10.0.0.1/gate"],
      ],
    );
    assert.deepEqual(merged.shadowed, ["yard"]);
  });

  void it("merged ids are unique and every id of either list is in the merge exactly once", () => {
    fc.assert(
      fc.property(ids, ids, (config, runtime) => {
        const { cameras, shadowed } = mergeCameras(
          config.map((id) => cam(id)),
          runtime.map((id) => stored(cam(id))),
        );
        const merged = cameras.map((c) => c.camera.id);
        assert.equal(new Set(merged).size, merged.length);
        assert.deepEqual([...merged].sort(), [...new Set([...config, ...runtime])].sort());
        assert.deepEqual([...shadowed].sort(), runtime.filter((id) => config.includes(id)).sort());
        for (const c of cameras) assert.equal(c.origin, config.includes(c.camera.id) ? "config" : "runtime");
      }),
    );
  });

  void it("an add gets the config defaults, and a bad field is a 400 naming it", () => {
    assert.deepEqual(cameraFromAdd({ id: "gate", url: "rtsp://10.0.0.5/s", credentials: "u:p", probe: false }), {
      id: "gate",
      url: "rtsp://10.0.0.5/s",
      enabled: true,
      detect: { fps: 5, ...REGION_DEFAULTS },
      push: { auth: "either" },
      ...INGEST_DEFAULTS,
    });
    assert.equal(
      expectVigil(() => cameraFromAdd({ id: "gate", url: "ftp://x" }), ErrorCodes.VALIDATION).details?.field,
      "/url",
    );
  });

  void it("a patch changes what it names and keeps the rest; the id never changes", () => {
    const before = { ...cam("gate"), name: "Gate", detect: { fps: 5, width: 256, height: 256 } };
    const after = patchCamera(before, { enabled: false, detect: { fps: 2 } });
    assert.deepEqual(after, {
      ...before,
      ...INGEST_DEFAULTS,
      enabled: false,
      detect: { fps: 2, width: 256, height: 256, ...REGION_DEFAULTS },
    });
    fc.assert(
      fc.property(
        fc.record(
          { enabled: fc.boolean(), name: fc.string({ maxLength: 20 }), fps: fc.integer({ min: 1, max: 60 }) },
          { requiredKeys: [] },
        ),
        (p) => {
          const patch = {
            ...(p.enabled === undefined ? {} : { enabled: p.enabled }),
            ...(p.name === undefined ? {} : { name: p.name }),
            ...(p.fps === undefined ? {} : { detect: { fps: p.fps } }),
          };
          const next = patchCamera(before, patch);
          assert.equal(next.id, "gate");
          assert.ok(Value.Check(CameraSchema, next));
          assert.equal(next.enabled, p.enabled ?? before.enabled);
          assert.equal(next.name, p.name ?? before.name);
          assert.equal(next.detect.fps, p.fps ?? before.detect.fps);
          assert.equal(next.url, before.url);
        },
      ),
    );
  });

  void it("a patch schema applies no defaults: an absent field stays absent", () => {
    const patch = Value.Default(CameraPatchSchema, { name: "x" });
    assert.deepEqual(patch, { name: "x" });
    assert.ok(!Value.Check(CameraPatchSchema, {}), "an empty patch is refused");
  });

  void it("re-probes when the source or the login changes, unless told not to", () => {
    const c = { ...cam("gate"), credentials_file: "gate.cred" };
    assert.equal(needsProbe(c, { enabled: false }), false);
    assert.equal(needsProbe(c, { url: c.url }), false);
    assert.equal(needsProbe(c, { url: "rtsp://10.0.0.9/s" }), true);
    assert.equal(needsProbe(c, { credentials: "u:p" }), true);
    assert.equal(needsProbe(c, { credentials_file: "other.cred" }), true);
    assert.equal(needsProbe(c, { url: "rtsp://10.0.0.9/s", probe: false }), false);
  });
});
