import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parseFrameRate, probeFailureReason, probeInfoFrom } from "../../src/ingest/camera-probe-result.js";

const AT = new Date("2026-01-02T03:04:05.000Z");

void describe("camera probe result", () => {
  void it("reads frame rates as ffprobe writes them, and refuses timebases and 0/0", () => {
    assert.equal(parseFrameRate("25/1"), 25);
    assert.equal(parseFrameRate("30000/1001"), 29.97);
    assert.equal(parseFrameRate("12.5"), 12.5);
    assert.equal(parseFrameRate("0/0"), undefined);
    assert.equal(parseFrameRate("90000/1"), undefined);
    assert.equal(parseFrameRate("abc"), undefined);
    assert.equal(parseFrameRate(undefined), undefined);
  });

  void it("any num/den within range reads back as their quotient (3 decimals)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 240_000 }), fc.integer({ min: 1, max: 1001 }), (num, den) => {
        const fps = parseFrameRate(`${num}/${den}`);
        const exact = num / den;
        if (exact > 240) return fps === undefined;
        // Half a thousandth at most; a quotient ending in exactly 5 (14/32 = 0.4375) rounds up, and
        // the float difference then sits a hair above 0.0005.
        return fps !== undefined && Math.abs(fps - exact) <= 0.0005 + 1e-12;
      }),
    );
  });

  void it("takes the first video stream's codec, size and fps", () => {
    const r = probeInfoFrom(
      [
        { codec_type: "audio", codec_name: "aac" },
        {
          codec_type: "video",
          codec_name: "h264",
          width: 1920,
          height: 1080,
          avg_frame_rate: "0/0",
          r_frame_rate: "25/1",
        },
      ],
      AT,
    );
    assert.deepEqual(r, {
      ok: true,
      info: { codec: "h264", width: 1920, height: 1080, fps: 25, probed_at: AT.toISOString() },
    });
  });

  void it("a source without video or without a size is refused with the reason", () => {
    assert.deepEqual(probeInfoFrom([{ codec_type: "audio" }], AT), {
      ok: false,
      reason: "the source has no video stream (only audio)",
    });
    assert.deepEqual(probeInfoFrom([], AT), { ok: false, reason: "the source has no streams" });
    assert.equal(probeInfoFrom([{ codec_type: "video", width: 0, height: 0 }], AT).ok, false);
  });

  void it("the failure reason is a fixed phrase, never ffprobe's text (which can quote credentials and internal services)", () => {
    const cases: Array<[string, string]> = [
      [
        "ffprobe exited with code 1\nrtsp://admin:p%40ss@10.0.0.5/s: Server returned 401 Unauthorized (authorization failed)",
        "unauthorized",
      ],
      ["ffprobe exited with code 1\nrtsp://10.0.0.9:554/x: Connection refused", "connection refused"],
      [
        "ffprobe exited with code 1\nhttp://10.0.0.7:8500/v1/kv: Invalid data found when processing input",
        "not a video stream",
      ],
      ["ffprobe exited with code 1\nSERVER: internal-billing-7 (PostgreSQL 15.2) banner", "not a video stream"],
    ];
    for (const [message, reason] of cases) assert.equal(probeFailureReason(message), reason);
  });

  void it("the reason is always one of the fixed phrases, whatever ffprobe said", () => {
    const phrases = ["unauthorized", "connection refused", "timed out", "not found", "not a video stream"];
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) =>
        phrases.includes(probeFailureReason(`ffprobe exited with code 1\n${text}`)),
      ),
    );
  });
});
