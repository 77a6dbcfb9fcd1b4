import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { CameraConfig } from "../../src/config/schema.js";
import { cameraChanges } from "../../src/ingest/camera-changes.js";

const cam = (id: string, fps = 5): CameraConfig => ({
  id,
  url: `rtsp://10.0.0.1/${id}`,
  enabled: true,
  detect: { fps },
  push: { auth: "either" },
});
const camera = fc
  .record({ id: fc.constantFrom("a", "b", "c", "d", "e"), fps: fc.constantFrom(1, 5) })
  .map((r) => cam(r.id, r.fps));
const list = fc.uniqueArray(camera, { selector: (c) => c.id, maxLength: 5 });

void describe("camera list changes (reload)", () => {
  void it("names added, removed, changed and unchanged cameras", () => {
    const c = cameraChanges([cam("a"), cam("b"), cam("c")], [cam("a"), cam("b", 1), cam("d")]);
    assert.deepEqual(
      c.added.map((x) => x.id),
      ["d"],
    );
    assert.deepEqual(c.removed, ["c"]);
    assert.deepEqual(
      c.changed.map((x) => x.id),
      ["b"],
    );
    assert.deepEqual(c.unchanged, ["a"]);
  });

  void it("partitions every camera exactly once, and applying the result yields the new list", () => {
    fc.assert(
      fc.property(list, list, (before, after) => {
        const c = cameraChanges(before, after);
        const afterIds = [...c.added.map((x) => x.id), ...c.changed.map((x) => x.id), ...c.unchanged].sort();
        const beforeIds = [...c.removed, ...c.changed.map((x) => x.id), ...c.unchanged].sort();
        return (
          JSON.stringify(afterIds) === JSON.stringify(after.map((x) => x.id).sort()) &&
          JSON.stringify(beforeIds) === JSON.stringify(before.map((x) => x.id).sort())
        );
      }),
    );
  });
});
