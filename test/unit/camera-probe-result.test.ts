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
        { codec_type: "video", codec_name: "h264", width: 1920, height: 1080, avg_frame_rate: "0/0", r_frame_rate: "25/1" },
      ],
      AT,
    );
    assert.deepEqual(r, { ok: true, info: { codec: "h264", width: 1920, height: 1080, fps: 25, probed_at: AT.toISOString() } });
  });

  void it("a source without video or without a size is refused with the reason", () => {
    assert.deepEqual(probeInfoFrom([{ codec_type: "audio" }], AT), { ok: false, reason: "the source has no video stream (only audio)" });
    assert.deepEqual(probeInfoFrom([], AT), { ok: false, reason: "the source has no streams" });
    assert.equal(probeInfoFrom([{ codec_type: "video", width: 0, height: 0 }], AT).ok, false);
  });

  void it("the failure reason is ffprobe's last line, without any credential", () => {
    const msg = "ffprobe exited with code 1\n[rtsp @ 0x1] method DESCRIBE failed: 401 Unauthorized\nrtsp://admin:p%40ss%3Aw0rd@10.0.0.5/s: Server returned 401 Unauthorized (authorization failed)\n";
    const reason = probeFailureReason(msg, "admin:p@ss:w0rd");
    assert.equal(reason, "rtsp://***:***@10.0.0.5/s: Server returned 401 Unauthorized (authorization failed)");
  });

  void it("no password survives in a reason, however ffprobe quotes it", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 3, maxLength: 16 }).filter((p) => !/[\s/@]/.test(p) && p.length >= 3), fc.constantFrom("raw", "url"), (password, form) => {
        const shown = form === "raw" ? password : encodeURIComponent(password);
        const reason = probeFailureReason(`ffprobe exited with code 1\nerror near ${shown} in stream`, `user:${password}`);
        return !reason.includes(shown);
      }),
    );
  });
});
