// Why a camera's ffmpeg ended, from the lines it printed: the reasons a tech reads in health.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeFfmpegExit } from "../../src/ingest/ffmpeg-failure.js";

void describe("describeFfmpegExit", () => {
  void it("names the cause from ffmpeg 5.1's own messages", () => {
    const cases: Array<[string[], number | null, string]> = [
      [
        [
          "[rtsp @ 0x1] method DESCRIBE failed: 401 Unauthorized",
          "rtsp://***:***@10.0.0.1/cam: Server returned 401 Unauthorized (authorization failed)",
        ],
        1,
        "unauthorized",
      ],
      [["[rtsp @ 0x1] method DESCRIBE failed: 404 Not Found"], 1, "not_found"],
      [
        [
          "Input #0, rtsp, from 'rtsp://cam/a':",
          "  Stream #0:0: Audio: pcm_alaw, 8000 Hz, mono, s16, 64 kb/s",
          "Stream map '0:v:0' matches no streams.",
          "To ignore this, add a trailing '?' to the map.",
        ],
        1,
        "no_video",
      ],
      [["[tcp @ 0x1] Connection to tcp://10.0.0.9:554?timeout=0 failed: Connection refused"], 1, "unreachable"],
      [["[h264 @ 0x1] Invalid data found when processing input"], 1, "bad_stream"],
      [
        ["Device creation failed: -22.", "Failed to set value '/dev/dri/renderD128' for option 'hwaccel_device'"],
        1,
        "hwaccel",
      ],
      [["frame= 10"], 0, "ended"],
      [["something unforeseen"], 1, "failed"],
    ];
    for (const [lines, code, kind] of cases) {
      const f = describeFfmpegExit(lines, code, null);
      assert.equal(f.kind, kind, lines.join(" | "));
      assert.ok(f.message.length > 10);
    }
  });

  void it("a silent server (no stream opened, gave up after the socket timeout) is a timeout, not a bad stream", () => {
    const lines = ["rtsp://127.0.0.1:4000/cam: Invalid data found when processing input"];
    assert.equal(describeFfmpegExit(lines, 1, null, { ranMs: 2100, socketTimeoutMs: 2000 }).kind, "timeout");
    assert.equal(describeFfmpegExit(lines, 1, null, { ranMs: 300, socketTimeoutMs: 2000 }).kind, "bad_stream");
    assert.equal(
      describeFfmpegExit(["Input #0, rtsp, from 'x':", ...lines], 1, null, { ranMs: 9000, socketTimeoutMs: 2000 }).kind,
      "bad_stream",
    );
  });

  void it("quotes the deciding line and says how ffmpeg ended otherwise", () => {
    assert.match(describeFfmpegExit(["a", "last words"], 1, null).message, /code 1: last words/);
    assert.match(describeFfmpegExit([], null, "SIGKILL").message, /killed by SIGKILL/);
  });
});
