// Issue 15, finding 13: `vigil evidence verify` caps what a ZIP's entries claim in total. A few KB
// of ZIP claiming 60 MB per entry made it allocate gigabytes.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { zipSync } from "fflate";
import { ErrorCodes } from "../../src/core/errors.js";
import { MAX_TOTAL_BYTES, unzipFiles } from "../../src/incidents/evidence/zip.js";
import { expectVigil } from "../helpers/expect-vigil.js";

/** A real ZIP whose central directory then claims `claimed` bytes for every entry. */
function claiming(entries: number, claimed: number, level: 0 | 6 = 6): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  for (let i = 0; i < entries; i++) files[`f${i}.json`] = new TextEncoder().encode("{}");
  const zip = zipSync(files, { level }); // deflated: inflating allocates what an entry claims
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = zip.length - 22;
  while (view.getUint32(eocd, true) !== 0x06054b50) eocd--;
  let at = view.getUint32(eocd + 16, true);
  for (let i = 0; i < entries; i++) {
    assert.equal(view.getUint32(at, true), 0x02014b50);
    view.setUint32(at + 24, claimed, true);
    at += 46 + view.getUint16(at + 28, true) + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return zip;
}

void describe("evidence ZIP limits", () => {
  void it("a small ZIP whose entries claim more than the total cap is refused before it is inflated", () => {
    const zip = claiming(70, 60 * 1024 * 1024);
    assert.ok(zip.length < 10_000, `${zip.length} bytes`);
    const err = expectVigil(() => unzipFiles(zip), ErrorCodes.VALIDATION);
    assert.match(err.message, /in total/);
    assert.ok(70 * 60 * 1024 * 1024 > MAX_TOTAL_BYTES);
  });

  void it("stored entries (clips) that claim more than they hold are refused the same way", () => {
    const err = expectVigil(() => unzipFiles(claiming(70, 60 * 1024 * 1024, 0)), ErrorCodes.VALIDATION);
    assert.match(err.message, /in total|claims/);
  });

  void it("a large stored entry (a clip) opens: it cannot expand past the ZIP's own size", () => {
    const video = new Uint8Array(80 * 1024 * 1024).fill(7);
    const files = unzipFiles(
      zipSync({ "clips/0.mp4": [video, { level: 0 }], "manifest.json": new TextEncoder().encode("{}") }),
    );
    assert.equal(files.get("clips/0.mp4")?.length, video.length);
  });

  void it("an honest pack still opens", () => {
    const files = unzipFiles(zipSync({ "manifest.json": new TextEncoder().encode('{"a":1}') }));
    assert.deepEqual([...files.keys()], ["manifest.json"]);
  });
});
