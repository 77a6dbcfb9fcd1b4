// The two-output ffmpeg command line of a camera: detection frames on stdout, main-stream JPEG
// snapshots on fd 3, hardware decode presets, and credentials that never reach a logged argv.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  buildCameraArgv,
  type CameraArgsInput,
  redactArgv,
  SNAPSHOT_FD,
  withCredentials,
} from "../../src/ingest/ffmpeg-args.js";
import { HW_ACCELS, type HwAccel, hwDecodeOptions } from "../../src/ingest/hw-decode.js";

const hostArb = fc.oneof(fc.domain(), fc.ipV4());
const urlArb = fc.tuple(hostArb, fc.stringMatching(/^[A-Za-z0-9_]{1,10}$/)).map(([h, p]) => `rtsp://${h}:554/${p}`);
const fpsArb = fc.double({ min: 0.05, max: 30, noNaN: true });
const hwArb = fc.constantFrom<HwAccel>(...HW_ACCELS);
const snapshotArb = fc.option(
  fc.record({
    fps: fc.double({ min: 0.05, max: 10, noNaN: true }),
    quality: fc.integer({ min: 2, max: 31 }),
    keyframesOnly: fc.boolean(),
  }),
  { nil: undefined },
);
const inputArb: fc.Arbitrary<CameraArgsInput> = fc.record({
  url: urlArb,
  snapshotUrl: fc.option(urlArb, { nil: undefined }),
  snapshot: snapshotArb,
  working: fc.record({ maxWidth: fc.integer({ min: 16, max: 1920 }), maxHeight: fc.integer({ min: 16, max: 1080 }) }),
  fps: fpsArb,
  socketTimeoutS: fc.double({ min: 0.5, max: 60, noNaN: true }),
  hwaccel: hwArb,
  hwaccelDevice: fc.option(fc.constantFrom("/dev/dri/renderD129", "1"), { nil: undefined }),
  hwaccelCodec: fc.constantFrom("h264" as const, "hevc" as const),
});

/** A filter chain's filters: split at commas outside ffmpeg's '...' quoting. */
function filterChain(vf: string): string[] {
  const out = [""];
  let quoted = false;
  for (const ch of vf) {
    if (ch === "'") quoted = !quoted;
    if (ch === "," && !quoted) out.push("");
    else out[out.length - 1] += ch;
  }
  return out;
}

/** The arguments of each output, split at the output target (the arg after which a new output starts). */
function outputs(argv: string[]): string[][] {
  const lastInput = argv.lastIndexOf("-i") + 2;
  const result: string[][] = [];
  let current: string[] = [];
  for (const a of argv.slice(lastInput)) {
    current.push(a);
    if (/^pipe:\d$/.test(a)) {
      result.push(current);
      current = [];
    }
  }
  return result;
}
const value = (args: readonly string[], flag: string): string | undefined => args[args.indexOf(flag) + 1];

void describe("buildCameraArgv", () => {
  void it("detection goes to stdout as rgb24 rawvideo; snapshots, when asked, to fd 3 as mjpeg without duplicated frames", () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        const argv = buildCameraArgv(i);
        const outs = outputs(argv);
        assert.equal(outs.length, i.snapshot ? 2 : 1);
        const [det, snap] = outs;
        assert.equal(det?.at(-1), "pipe:1");
        assert.equal(value(det ?? [], "-pix_fmt"), "rgb24");
        assert.equal(value(det ?? [], "-f"), "rawvideo");
        assert.equal(value(det ?? [], "-map"), "0:v:0");
        if (i.snapshot) {
          assert.equal(snap?.at(-1), `pipe:${SNAPSHOT_FD}`);
          assert.equal(value(snap ?? [], "-c:v"), "mjpeg");
          assert.equal(value(snap ?? [], "-q:v"), String(i.snapshot.quality));
          assert.equal(value(snap ?? [], "-fps_mode"), "vfr");
          const separate = i.snapshotUrl !== undefined && i.snapshotUrl !== i.url;
          assert.equal(value(snap ?? [], "-map"), separate ? "1:v:0" : "0:v:0");
          assert.equal(argv.filter((a) => a === "-i").length, separate ? 2 : 1);
          // Key-frame-only decoding applies to the separate main input only, never to detection.
          const mainInput = argv.slice(argv.indexOf("-i") + 2, argv.lastIndexOf("-i"));
          assert.equal(mainInput.includes("-skip_frame"), separate && i.snapshot.keyframesOnly);
          assert.ok(!argv.slice(0, argv.indexOf("-i")).includes("-skip_frame"));
        }
      }),
    );
  });

  void it("every filter chain picks its frames first, then downloads from the GPU, then scales", () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        for (const out of outputs(buildCameraArgv(i))) {
          const filters = filterChain(value(out, "-vf") ?? "");
          assert.ok(/^(fps=|select=)/.test(filters[0] ?? ""), filters.join(","));
          const down = filters.indexOf("hwdownload");
          assert.equal(down >= 0, i.hwaccel !== "none");
          if (down >= 0) {
            assert.equal(filters[down + 1], "format=nv12");
            assert.equal(down, 1);
          }
          const scale = filters.findIndex((f) => f.startsWith("scale="));
          if (scale >= 0) assert.ok(scale > Math.max(0, down));
        }
        // The detection fps is the one asked for; the snapshot rate is a minimum spacing, 1/fps.
        const det = outputs(buildCameraArgv(i))[0] ?? [];
        assert.equal(Number((value(det, "-vf") ?? "").split(",")[0]?.slice(4)), i.fps);
        if (i.snapshot) {
          const snap = outputs(buildCameraArgv(i))[1] ?? [];
          const spacing = /gte\(t-prev_selected_t,([0-9.e-]+)\)/.exec(value(snap, "-vf") ?? "");
          assert.ok(spacing && Math.abs(Number(spacing[1]) - 1 / i.snapshot.fps) < 1e-9);
        }
      }),
    );
  });

  void it("every input is read over TCP with ffmpeg's socket timeout, with the hardware preset before its -i", () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        const argv = buildCameraArgv(i);
        const hw = hwDecodeOptions(i.hwaccel ?? "none", i.hwaccelDevice, i.hwaccelCodec);
        let from = 0;
        for (let k = argv.indexOf("-i", from); k >= 0; k = argv.indexOf("-i", from)) {
          const opts = argv.slice(from, k);
          assert.equal(value(opts, "-rtsp_transport"), "tcp");
          assert.ok(Math.abs(Number(value(opts, "-timeout")) - (i.socketTimeoutS ?? 0) * 1e6) <= 0.5);
          if (hw.length > 0) assert.deepEqual(opts.slice(opts.length - hw.length), hw);
          from = k + 2;
        }
      }),
    );
  });

  void it("credentials never appear in the redacted argv, in any argument", () => {
    const secretArb = fc.stringMatching(/^[A-Za-z0-9!$%*+.~-]{6,20}$/);
    fc.assert(
      fc.property(inputArb, fc.stringMatching(/^[a-z]{3,10}$/), secretArb, (i, user, password) => {
        // A password that is also a word of the URL or argv anyway ("/alueOf") is not a leak.
        fc.pre(!buildCameraArgv(i).join(" ").includes(encodeURIComponent(password)));
        const creds = `${user}:${password}`;
        const argv = buildCameraArgv({
          ...i,
          url: withCredentials(i.url, creds),
          snapshotUrl: i.snapshotUrl && withCredentials(i.snapshotUrl, creds),
        });
        assert.ok(argv.some((a) => a.includes(encodeURIComponent(password))));
        const logged = redactArgv(argv).join(" ");
        assert.ok(!logged.includes(encodeURIComponent(password)), logged);
        assert.ok(!logged.includes(`${user}:`), logged);
      }),
    );
  });
});

void describe("hardware decode presets (ffmpeg 5.1)", () => {
  void it("each preset names its ffmpeg hwaccel, device and output format", () => {
    assert.deepEqual(hwDecodeOptions("none", undefined), []);
    assert.deepEqual(hwDecodeOptions("vaapi", undefined), [
      "-hwaccel",
      "vaapi",
      "-hwaccel_device",
      "/dev/dri/renderD128",
      "-hwaccel_output_format",
      "vaapi",
    ]);
    assert.deepEqual(hwDecodeOptions("qsv", "/dev/dri/renderD129", "hevc"), [
      "-hwaccel",
      "qsv",
      "-qsv_device",
      "/dev/dri/renderD129",
      "-hwaccel_output_format",
      "qsv",
      "-c:v",
      "hevc_qsv",
    ]);
    assert.deepEqual(hwDecodeOptions("nvdec", undefined), [
      "-hwaccel",
      "cuda",
      "-hwaccel_device",
      "0",
      "-hwaccel_output_format",
      "cuda",
    ]);
  });

  void it("the installed ffmpeg knows every preset's hwaccel and decoder", async () => {
    const { execFileSync } = await import("node:child_process");
    const hwaccels = execFileSync("ffmpeg", ["-hide_banner", "-hwaccels"], { encoding: "utf8" });
    const decoders = execFileSync("ffmpeg", ["-hide_banner", "-decoders"], { encoding: "utf8" });
    for (const hw of HW_ACCELS.filter((h) => h !== "none")) {
      const name = value(hwDecodeOptions(hw, undefined), "-hwaccel") ?? "";
      assert.match(hwaccels, new RegExp(`^${name}$`, "m"), hw);
    }
    for (const codec of ["h264", "hevc"] as const)
      assert.match(decoders, new RegExp(`\\b${value(hwDecodeOptions("qsv", undefined, codec), "-c:v")}\\b`));
  });

  void it("refuses a non-positive detection or snapshot fps", () => {
    const base = { url: "rtsp://cam/s", working: { maxWidth: 64, maxHeight: 64 }, fps: 5, socketTimeoutS: 5 };
    assert.throws(() => buildCameraArgv({ ...base, fps: 0 }), RangeError);
    assert.throws(
      () => buildCameraArgv({ ...base, snapshot: { fps: 0, quality: 5, keyframesOnly: true } }),
      RangeError,
    );
  });
});
