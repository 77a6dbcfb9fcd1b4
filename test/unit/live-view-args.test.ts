import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  jsmpegHeader,
  liveViewCamera,
  liveViewFfmpegOptions,
  liveViewSize,
  liveViewCredential,
  originAllowed,
  liveViewUrl,
} from "../../src/ingest/live-view-args.js";

void describe("live view arguments", () => {
  void it("RTSP stays on TCP through the URL's ?tcp option, with credentials inserted", () => {
    assert.equal(liveViewUrl("rtsp://10.0.0.5:554/s", "u:p w"), "rtsp://u:p%20w@10.0.0.5:554/s?tcp");
    assert.equal(liveViewUrl("rtsp://10.0.0.5/s?channel=1", undefined), "rtsp://10.0.0.5/s?channel=1&tcp");
    assert.equal(liveViewUrl("http://10.0.0.5/mjpeg", undefined), "http://10.0.0.5/mjpeg");
    assert.equal(liveViewUrl("file:///data/a%20b.mp4", undefined), "/data/a b.mp4");
  });

  void it("flags: no stdin, an MPEG-1 frame rate, the bitrate, and a width cap", () => {
    const o = liveViewFfmpegOptions({ fps: 25, maxWidth: 1280, bitrateKbps: 800 });
    assert.deepEqual(
      Object.entries(o)
        .flat()
        .filter((x) => x !== ""),
      [
        "-nostdin",
        "-loglevel",
        "error",
        "-an",
        "-r",
        "25",
        "-b:v",
        "800k",
        "-bf",
        "0",
        "-vf",
        "scale='trunc(min(1280,iw)/2)*2':-2",
      ],
    );
  });

  void it("the announced size is even, no wider than the cap, and keeps the aspect ratio", () => {
    assert.deepEqual(liveViewSize({ width: 1920, height: 1080 }, 1280), { width: 1280, height: 720 });
    assert.deepEqual(liveViewSize({ width: 640, height: 480 }, 1280), { width: 640, height: 480 });
    assert.deepEqual(liveViewSize(undefined, 1280), { width: 0, height: 0 });
    fc.assert(
      fc.property(
        fc.integer({ min: 16, max: 8000 }),
        fc.integer({ min: 16, max: 8000 }),
        fc.integer({ min: 160, max: 4094 }),
        (w, h, cap) => {
          const s = liveViewSize({ width: w, height: h }, cap);
          return (
            s.width % 2 === 0 &&
            s.height % 2 === 0 &&
            s.width <= cap &&
            s.width <= w &&
            Math.abs(s.height - (h * s.width) / w) <= 1
          );
        },
      ),
    );
  });

  void it("the stream header is node-rtsp-stream's: jsmp and the size", () => {
    assert.deepEqual([...jsmpegHeader({ width: 640, height: 480 })], [0x6a, 0x73, 0x6d, 0x70, 0x02, 0x80, 0x01, 0xe0]);
  });

  void it("takes a ticket (subprotocol or query) or a bearer subprotocol, never a token in the URL", () => {
    assert.deepEqual(liveViewCredential("/v1/cameras/a/live", "vigil.live, bearer.p.p.p"), {
      kind: "bearer",
      value: "p.p.p",
    });
    assert.deepEqual(liveViewCredential("/v1/cameras/a/live", "vigil.live, ticket.lt_x"), {
      kind: "ticket",
      value: "lt_x",
    });
    assert.deepEqual(liveViewCredential("/v1/cameras/a/live?ticket=lt_y", "vigil.live"), {
      kind: "ticket",
      value: "lt_y",
    });
    // Issue 15: an access token in the URL ends up in logs; it is not read any more.
    assert.equal(liveViewCredential("/v1/cameras/a/live?access_token=q.q.q", undefined), undefined);
    assert.equal(liveViewCredential("/v1/cameras/a/live", "vigil.live"), undefined);
  });

  void it("origins: none (not a browser), the same origin, or a listed one", () => {
    assert.equal(originAllowed(undefined, "gw:8080", []), true);
    assert.equal(originAllowed("https://gw:8080", "gw:8080", []), true);
    assert.equal(originAllowed("https://evil.example", "gw:8080", []), false);
    assert.equal(originAllowed("https://console.site", "gw:8080", ["https://console.site"]), true);
  });

  void it("serves only /v1/cameras/:id/live", () => {
    assert.equal(liveViewCamera("/v1/cameras/door-1/live?access_token=x"), "door-1");
    assert.equal(liveViewCamera("/v1/cameras/door/live/extra"), undefined);
    assert.equal(liveViewCamera("/v1/cameras/Door/live"), undefined);
    assert.equal(liveViewCamera("/v1/health"), undefined);
  });
});
