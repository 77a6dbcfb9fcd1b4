// The main-stream snapshot as the sharper picture for faces: used only when taken close to the
// analysed frame and wider than it, decoded once per snapshot (real ffmpeg, real snapshot cache).
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, it } from "node:test";
import { SharperFrames } from "../../src/inference/faces/sharper-frame.js";
import { decodeJpegToWorkingSize } from "../../src/ingest/jpeg-decoder.js";
import { SnapshotCache } from "../../src/ingest/snapshot-cache.js";
import { fixturePath } from "../helpers/rtsp-server.js";

void describe("SharperFrames", () => {
  void it("gives the snapshot's pixels near the frame's time when wider, decoding each snapshot once", async () => {
    const jpeg = await readFile(fixturePath("photos", "sample1.jpg")); // 1920x1280
    const cache = new SnapshotCache(2);
    let decodes = 0;
    const sharper = new SharperFrames(
      cache,
      async (j, bounds) => {
        decodes += 1;
        const d = await decodeJpegToWorkingSize(j, bounds);
        return { width: d.width, height: d.height, rgb: d.rgb };
      },
      { maxSkewMs: 700, maxSide: 1600 },
    );
    assert.equal(await sharper.near("cam", 1000, 640), undefined, "no snapshot yet");
    cache.put("cam", jpeg, 1000);
    const image = await sharper.near("cam", 1300, 640);
    assert.deepEqual([image?.width, image?.height, image?.rgb.length], [1600, 1067, 1600 * 1067 * 3]);
    assert.ok(await sharper.near("cam", 900, 1280), "still the same snapshot");
    assert.equal(decodes, 1);
    assert.equal(await sharper.near("cam", 1800, 640), undefined, "800 ms apart: the person has moved");
    assert.equal(await sharper.near("cam", 1000, 1600), undefined, "no sharper than the frame");
    cache.put("cam", Buffer.from("not a jpeg"), 2000);
    assert.equal(await sharper.near("cam", 2000, 640), undefined, "an undecodable snapshot is no picture");
  });
});
