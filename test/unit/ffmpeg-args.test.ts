// The ffmpeg command line for one camera, camera credentials in URLs, and the source size read
// back from ffmpeg's banner.
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  buildCameraArgv,
  parseSourceSize,
  withCredentials,
  type IngestArgsInput,
} from "../../src/ingest/ffmpeg-args.js";
import { redactUrlCredentials } from "../../src/core/logger.js";

const hostArb = fc.oneof(fc.domain(), fc.ipV4());
const pathArb = fc
  .array(fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/), { maxLength: 4 })
  .map((parts) => `/${parts.join("/")}`);
const portArb = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined });
const rtspUrlArb = fc
  .tuple(fc.constantFrom("rtsp", "rtsps", "RTSP"), hostArb, portArb, pathArb)
  .map(([scheme, host, port, path]) => `${scheme}://${host}${port === undefined ? "" : `:${port}`}${path}`);
const httpUrlArb = fc
  .tuple(fc.constantFrom("http", "https", "rtmp"), hostArb, pathArb)
  .map(([s, h, p]) => `${s}://${h}${p}`);
// Path segments with spaces, percent signs, hashes and non-ASCII, which file URLs must encode.
const segmentArb = fc
  .string({ unit: "grapheme", minLength: 1, maxLength: 10 })
  .filter((s) => !s.includes("/") && !s.includes("\0") && s !== "." && s !== "..");
const filePathArb = fc.array(segmentArb, { minLength: 1, maxLength: 4 }).map((parts) => `/${parts.join("/")}`);

const sizeArb = fc.integer({ min: 1, max: 4096 });
const fpsArb = fc.double({ min: 0.01, max: 60, noNaN: true });
const timeoutArb = fc.double({ min: 0.001, max: 600, noNaN: true });

function input(url: string, width: number, height: number, fps: number, socketTimeoutS: number): IngestArgsInput {
  return { url, working: { maxWidth: width, maxHeight: height }, fps, socketTimeoutS };
}

/** The detection part of a camera's argv (no snapshot output): what comes before -i, the input, the filter, the output options. */
function buildIngestArgs(i: IngestArgsInput): {
  argv: string[];
  input: string;
  inputOptions: string[];
  videoFilter: string;
  outputOptions: string[];
} {
  const argv = buildCameraArgv(i);
  const at = argv.indexOf("-i");
  const vf = argv.indexOf("-vf");
  return {
    argv,
    input: argv[at + 1] ?? "",
    inputOptions: argv.slice(0, at),
    videoFilter: argv[vf + 1] ?? "",
    outputOptions: argv.slice(vf + 2, argv.indexOf("pipe:1")),
  };
}

const toArgv = (args: { argv: string[] }): string[] => args.argv;

function optionValue(options: readonly string[], flag: string): string | undefined {
  const i = options.indexOf(flag);
  return i < 0 ? undefined : options[i + 1];
}

void describe("buildIngestArgs", () => {
  void it("RTSP input always uses TCP and an ffmpeg socket timeout in microseconds", () => {
    fc.assert(
      fc.property(rtspUrlArb, sizeArb, sizeArb, fpsArb, timeoutArb, (url, w, h, fps, timeoutS) => {
        const args = buildIngestArgs(input(url, w, h, fps, timeoutS));
        assert.equal(args.input, url);
        assert.equal(optionValue(args.inputOptions, "-rtsp_transport"), "tcp");
        const timeout = optionValue(args.inputOptions, "-timeout");
        assert.ok(timeout !== undefined && /^\d+$/.test(timeout), `-timeout ${timeout}`);
        assert.ok(Math.abs(Number(timeout) - timeoutS * 1_000_000) <= 0.5);
        assert.ok(!args.inputOptions.includes("-re"));
        assert.ok(!args.inputOptions.includes("-stream_loop"));
      }),
    );
  });

  void it("the filter chain starts with fps, then shrinks to the working size, never padded", () => {
    fc.assert(
      fc.property(
        fc.oneof(rtspUrlArb, httpUrlArb),
        sizeArb,
        sizeArb,
        fpsArb,
        timeoutArb,
        (url, w, h, fps, timeoutS) => {
          const { videoFilter } = buildIngestArgs(input(url, w, h, fps, timeoutS));
          const filters = videoFilter.split(",");
          assert.ok(filters[0]?.startsWith("fps="), videoFilter);
          assert.equal(Number(filters[0]?.slice("fps=".length)), fps);
          assert.equal(filters.filter((f) => f.startsWith("fps=")).length, 1);
          assert.ok(
            videoFilter.includes(`scale=w='min(iw,${w})':h='min(ih,${h})':force_original_aspect_ratio=decrease`),
            videoFilter,
          );
          assert.ok(!filters.some((f) => f.startsWith("pad=")), videoFilter);
        },
      ),
    );
  });

  void it("output is headerless rawvideo rgb24 to stdout, without audio, subtitles or data", () => {
    fc.assert(
      fc.property(fc.oneof(rtspUrlArb, httpUrlArb), sizeArb, sizeArb, fpsArb, (url, w, h, fps) => {
        const args = buildIngestArgs(input(url, w, h, fps, 10));
        assert.equal(optionValue(args.outputOptions, "-pix_fmt"), "rgb24");
        assert.equal(optionValue(args.outputOptions, "-f"), "rawvideo");
        for (const flag of ["-an", "-sn", "-dn"]) assert.ok(args.outputOptions.includes(flag));
        const argv = toArgv(args);
        assert.equal(argv.at(-1), "pipe:1");
        const i = argv.indexOf("-i");
        assert.equal(argv[i + 1], url);
        // Input options precede -i (after it they would apply to the output).
        assert.ok(argv.indexOf("-nostdin") < i);
        assert.ok(argv.indexOf("-pix_fmt") > i);
        assert.equal(argv[argv.indexOf("-vf") + 1], args.videoFilter);
      }),
    );
  });

  void it("non-RTSP network URLs get neither RTSP options nor file looping", () => {
    fc.assert(
      fc.property(httpUrlArb, (url) => {
        const args = buildIngestArgs(input(url, 256, 256, 5, 10));
        for (const flag of ["-rtsp_transport", "-timeout", "-re", "-stream_loop"])
          assert.ok(!args.inputOptions.includes(flag), flag);
        assert.equal(args.input, url);
      }),
    );
  });

  void it("file:// URLs loop in real time and pass the decoded local path as input", () => {
    fc.assert(
      fc.property(filePathArb, (path) => {
        const url = pathToFileURL(path).href;
        const args = buildIngestArgs(input(url, 128, 128, 5, 10));
        assert.equal(args.input, path);
        assert.equal(optionValue(args.inputOptions, "-stream_loop"), "-1");
        assert.ok(args.inputOptions.includes("-re"));
        assert.ok(!args.inputOptions.includes("-rtsp_transport"));
      }),
    );
  });

  void it("refuses a non-positive or non-finite fps", () => {
    for (const fps of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => buildIngestArgs(input("rtsp://cam/s", 256, 256, fps, 10)), RangeError);
    }
  });
});

void describe("withCredentials and redactUrlCredentials", () => {
  // The first ':' separates user from password, so a user cannot contain one; a password can.
  const userArb = fc.string({ unit: "grapheme", minLength: 1, maxLength: 16 }).filter((s) => !s.includes(":"));
  const passArb = fc.oneof(fc.constant("p@ss:w/rd%"), fc.string({ unit: "grapheme", maxLength: 24 }));

  void it("leaves the URL alone without credentials", () => {
    assert.equal(withCredentials("rtsp://cam.local/s1", undefined), "rtsp://cam.local/s1");
    assert.equal(withCredentials("rtsp://cam.local/s1", ""), "rtsp://cam.local/s1");
  });

  void it("round-trips a user and a password with special characters through URL decoding", () => {
    const url = withCredentials("rtsp://cam.local:554/Streaming/Channels/101", "admin:p@ss:w/rd%");
    const parsed = new URL(url);
    assert.equal(decodeURIComponent(parsed.username), "admin");
    assert.equal(decodeURIComponent(parsed.password), "p@ss:w/rd%");
    assert.equal(parsed.host, "cam.local:554");
    assert.equal(parsed.pathname, "/Streaming/Channels/101");
  });

  void it("any user/password survives the round trip, and redaction removes both", () => {
    fc.assert(
      fc.property(
        rtspUrlArb.filter((u) => u.startsWith("rtsp")),
        userArb,
        passArb,
        (base, user, pass) => {
          const url = withCredentials(base, `${user}:${pass}`);
          const parsed = new URL(url);
          assert.equal(decodeURIComponent(parsed.username), user);
          assert.equal(decodeURIComponent(parsed.password), pass);
          assert.equal(parsed.hostname, new URL(base).hostname);
          assert.equal(parsed.pathname, new URL(base).pathname);

          // Embedded in an ffmpeg error line, as the supervisor logs it.
          const redacted = redactUrlCredentials(`[rtsp @ 0x5581] method DESCRIBE failed: 401 on ${url} (retry)`);
          const scheme = base.slice(0, base.indexOf("://") + 3);
          const expectedUrl = `${scheme}***:***@${url.slice(url.indexOf("@") + 1)}`;
          assert.equal(redacted, `[rtsp @ 0x5581] method DESCRIBE failed: 401 on ${expectedUrl} (retry)`);
        },
      ),
    );
  });

  void it("a user without a password still gets redacted", () => {
    const url = withCredentials("rtsp://10.1.2.3/s1", "operator");
    assert.equal(decodeURIComponent(new URL(url).username), "operator");
    assert.equal(redactUrlCredentials(url), "rtsp://***:***@10.1.2.3/s1");
  });

  void it("redaction also covers hand-written URLs whose password has unencoded ':'", () => {
    assert.equal(
      redactUrlCredentials("open rtsp://admin:pa:ss@10.0.0.1:554/s1 failed"),
      "open rtsp://***:***@10.0.0.1:554/s1 failed",
    );
    assert.equal(
      redactUrlCredentials("a rtsp://u:p@h/x and b rtsps://v:q@k/y"),
      "a rtsp://***:***@h/x and b rtsps://***:***@k/y",
    );
    assert.equal(redactUrlCredentials("rtsp://10.0.0.1/live@main"), "rtsp://10.0.0.1/live@main");
  });

  void it("a password with an empty user name is redacted too", () => {
    const url = withCredentials("rtsp://10.1.2.3/s1", ":hunter2hunter2");
    assert.ok(!redactUrlCredentials(url).includes("hunter2"), redactUrlCredentials(url));
  });
});

void describe("parseSourceSize", () => {
  const INPUT =
    "  Stream #0:0: Video: h264 (High), yuv420p(progressive), 640x480 [SAR 1:1 DAR 4:3], 10 fps, 10 tbr, 90k tbn";
  const OUTPUT =
    "  Stream #0:0: Video: rawvideo (RGB[24] / 0x18424752), rgb24(pc, gbr/unknown/unknown, progressive), 256x256, q=2-31, 7864 kb/s, 5 fps";

  void it("reads the size from a real input stream line", () => {
    assert.deepEqual(parseSourceSize(INPUT), { width: 640, height: 480 });
    assert.deepEqual(
      parseSourceSize(
        "  Stream #0:0[0x100]: Video: h264 (Main) ([27][0][0][0] / 0x001B), yuv420p(tv, bt709, progressive), 1920x1080 [SAR 1:1 DAR 16:9], 25 fps",
      ),
      { width: 1920, height: 1080 },
    );
    assert.deepEqual(
      parseSourceSize(
        "    Stream #0:0(und): Video: h264 (High) (avc1 / 0x31637661), yuv420p, 1280x720, 2000 kb/s, 30 fps",
      ),
      {
        width: 1280,
        height: 720,
      },
    );
  });

  void it("the output stream line matches too (hex codec tags are not sizes), so callers must take the first match", () => {
    // The supervisor keeps the first match per ffmpeg start; the input line precedes this one.
    // If the input line carried no size, this line would be mistaken for the source size.
    assert.deepEqual(parseSourceSize(OUTPUT), { width: 256, height: 256 });
  });

  void it("ignores lines that are not video stream lines, or have no size", () => {
    for (const line of [
      "Input #0, rtsp, from 'rtsp://127.0.0.1:8554/cam':",
      "  Stream #0:0 -> #0:0 (h264 (native) -> rawvideo (native))",
      "  Stream #0:1: Audio: aac (LC), 48000 Hz, stereo, fltp",
      "  Stream #0:0: Video: h264, none, 90k tbr, 90k tbn",
      // A codec tag is hex, not a size.
      "  Stream #0:0[0x100]: Video: h264 ([27][0][0][0] / 0x0010), none, 90k tbr, 90k tbn",
      "frame=   10 fps=5.0 q=-0.0 size=    1920kB time=00:00:02.00 bitrate=7864.3kbits/s speed=1x",
      "",
    ]) {
      assert.equal(parseSourceSize(line), undefined, line);
    }
  });

  void it("any size in a banner-shaped line is read back exactly", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 16384 }),
        fc.integer({ min: 10, max: 16384 }),
        fc.nat({ max: 9 }),
        fc.constantFrom(
          "h264 (High)",
          "hevc (Main) (hvc1 / 0x31637668)",
          "mjpeg (Baseline)",
          "h264 ([27][0][0][0] / 0x001B)",
        ),
        (w, h, idx, codec) => {
          const line = `  Stream #0:${idx}: Video: ${codec}, yuv420p(tv, progressive), ${w}x${h} [SAR 1:1 DAR 4:3], 25 fps, 25 tbr, 90k tbn`;
          assert.deepEqual(parseSourceSize(line), { width: w, height: h });
        },
      ),
    );
  });
});
