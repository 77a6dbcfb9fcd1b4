// The ring's pure rules (segment names, pruning to seconds and bytes, a window's segments and
// gaps), clip planning (pre/post-roll, consecutive clips), HTTP byte ranges, the recording argv
// and a camera's clip settings: property tests over generated inputs.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parseByteRange } from "../../src/http/byte-range.js";
import { allWindowsReady, readyWindows } from "../../src/incidents/clips/clip-plan.js";
import { clipSettingsFor } from "../../src/incidents/clips/clip-settings.js";
import { ClipStore } from "../../src/incidents/clips/clip-store.js";
import { buildCameraArgv } from "../../src/ingest/ffmpeg-args.js";
import { RecordingRing } from "../../src/ingest/recording/recording-ring.js";
import { silentLogger } from "../helpers/uplink-stack.js";
import {
  mergeSpans,
  parseSegmentName,
  type Segment,
  segmentPattern,
  segmentsForWindow,
  segmentsToDelete,
} from "../../src/ingest/recording/segments.js";

const T0 = Date.parse("2026-12-08T00:00:00Z");

/** A ring as ffmpeg leaves it: runs of contiguous segments, with holes between runs. */
const ringArb = fc
  .array(
    fc.record({
      count: fc.integer({ min: 1, max: 8 }),
      hole: fc.integer({ min: 0, max: 6000 }),
      segMs: fc.integer({ min: 1000, max: 3000 }),
      bytes: fc.integer({ min: 1, max: 500_000 }),
    }),
    { minLength: 1, maxLength: 5 },
  )
  .map((runs) => {
    const out: Segment[] = [];
    let t = T0;
    runs.forEach((r, i) => {
      t += r.hole;
      for (let k = 0; k < r.count; k += 1) {
        out.push({
          name: `r${i}_${Math.floor(t / 1000)}.ts`,
          run: `r${i}`,
          startMs: t,
          endMs: t + r.segMs,
          bytes: r.bytes,
        });
        t += r.segMs;
      }
    });
    return out;
  });

void describe("ring segments", () => {
  void it("names round-trip through ffmpeg's strftime pattern, and nothing else parses", () => {
    assert.equal(segmentPattern("ab12"), "ab12_%s.ts");
    assert.deepEqual(parseSegmentName("ab12_1796688000.ts"), { run: "ab12", startMs: 1796688000_000 });
    for (const bad of [
      "x.ts",
      "ab12_1796688000.mp4",
      "../a_1796688000.ts",
      "AB_1796688000.ts",
      "ab12_17.ts",
      "ab12_1796688000.ts.tmp",
    ])
      assert.equal(parseSegmentName(bad), undefined, bad);
    assert.throws(() => segmentPattern("a/b"));
    assert.throws(() => segmentPattern("%n"));
  });

  void it("pruning: the newest segment always stays, what stays fits the byte bound (newest aside), unclaimed old segments go, claimed ones stay while bytes allow", () => {
    fc.assert(
      fc.property(
        ringArb,
        fc.integer({ min: 0, max: 30_000 }),
        fc.integer({ min: 0, max: 3_000_000 }),
        fc.integer({ min: 0, max: 40_000 }),
        fc.integer({ min: 0, max: 50 }),
        (ring, keepMs, maxBytes, after, claimEvery) => {
          const now = (ring[ring.length - 1]?.endMs ?? T0) + after;
          const claimed = (s: Segment) => claimEvery > 0 && ring.indexOf(s) % claimEvery === 0;
          const doomed = segmentsToDelete(ring, { keepMs, maxBytes }, now, claimed);
          const kept = ring.filter((s) => !doomed.includes(s));
          assert.ok(kept.includes(ring[ring.length - 1] as Segment), "the segment ffmpeg writes is kept");
          const closedBytes = kept.slice(0, -1).reduce((a, s) => a + s.bytes, 0);
          const newest = ring[ring.length - 1]?.bytes ?? 0;
          assert.ok(closedBytes + newest <= maxBytes || kept.length === 1, "within the byte bound");
          for (const s of kept.slice(0, -1))
            assert.ok(s.endMs >= now - keepMs || claimed(s), "old unclaimed segments are gone");
          // Deletion is oldest first: nothing kept is older than something deleted for bytes.
          const deletedForBytes = doomed.filter((s) => s.endMs >= now - keepMs || claimed(s));
          for (const d of deletedForBytes)
            for (const k of kept)
              if (k !== ring[ring.length - 1])
                assert.ok(
                  !(k.startMs < d.startMs && !(k.endMs < now - keepMs && !claimed(k))),
                  "bytes go oldest first",
                );
        },
      ),
    );
  });

  void it("a window's gaps and segments cover it exactly; a change of run is always a gap", () => {
    fc.assert(
      fc.property(
        ringArb,
        fc.integer({ min: -5000, max: 30_000 }),
        fc.integer({ min: 1, max: 40_000 }),
        (ring, offset, length) => {
          const window = { startMs: T0 + offset, endMs: T0 + offset + length };
          const tolerance = 3500;
          const { segments, gaps } = segmentsForWindow(ring, window, tolerance);
          for (const s of segments) assert.ok(s.endMs > window.startMs && s.startMs < window.endMs);
          for (const g of gaps) {
            assert.ok(
              g.startMs >= window.startMs && g.endMs <= window.endMs && g.endMs > g.startMs,
              "gaps lie inside the window",
            );
            for (const s of segments)
              assert.ok(!(s.startMs < g.startMs && s.endMs > g.endMs), "no gap inside a segment");
          }
          // Every moment of the window not in a segment is in a gap, up to the tolerance.
          for (let t = window.startMs; t < window.endMs; t += 250) {
            const inSeg = segments.some((s) => s.startMs <= t && t < s.endMs);
            const inGap = gaps.some((g) => g.startMs <= t && t < g.endMs);
            if (!inSeg && !inGap) {
              const near = [
                ...segments.map((s) => s.startMs),
                ...segments.map((s) => s.endMs),
                window.startMs,
                window.endMs,
              ].some((b) => Math.abs(b - t) <= tolerance);
              assert.ok(near, `uncovered moment ${t - T0} far from any edge`);
            }
          }
          for (let i = 1; i < segments.length; i += 1) {
            const a = segments[i - 1] as Segment;
            const b = segments[i] as Segment;
            if (a.run !== b.run && b.startMs > a.endMs && b.startMs > window.startMs)
              assert.ok(
                gaps.some((g) => g.startMs <= Math.max(a.endMs, window.startMs) && g.endMs >= b.startMs),
                "reconnect is a gap",
              );
          }
        },
      ),
    );
  });

  void it("mergeSpans sorts and merges", () => {
    assert.deepEqual(
      mergeSpans([
        { startMs: 5, endMs: 7 },
        { startMs: 1, endMs: 3 },
        { startMs: 2, endMs: 5 },
        { startMs: 9, endMs: 9 },
      ]),
      [{ startMs: 1, endMs: 7 }],
    );
  });
});

void describe("clip planning", () => {
  const settingsArb = fc.record({
    preRollMs: fc.integer({ min: 0, max: 60_000 }),
    postRollMs: fc.integer({ min: 0, max: 300_000 }),
    maxClipMs: fc.integer({ min: 10_000, max: 600_000 }),
  });
  void it("windows are consecutive, at most max_clip long, cover started - pre to last_seen + post once ended, and only past windows are ready", () => {
    fc.assert(
      fc.property(
        settingsArb,
        fc.integer({ min: 0, max: 3_600_000 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 4_000_000 }),
        (s, seenFor, ended, after) => {
          const span = { startedMs: T0, lastSeenMs: T0 + seenFor, ended };
          const now = T0 + after;
          const settle = 3000;
          const ws = readyWindows(span, s, now, settle);
          ws.forEach((w, i) => {
            assert.equal(w.n, i);
            assert.ok(w.endMs - w.startMs <= s.maxClipMs && w.endMs > w.startMs);
            assert.ok(w.endMs + settle <= now, "only past windows");
            assert.equal(w.startMs, T0 - s.preRollMs + i * s.maxClipMs, "consecutive");
            if (!ended) assert.equal(w.endMs - w.startMs, s.maxClipMs, "an open incident's windows are full");
            if (ended) assert.ok(w.endMs <= span.lastSeenMs + s.postRollMs);
          });
          if (allWindowsReady(span, s, now, settle)) {
            const last = ws[ws.length - 1];
            assert.ok(last, "something to cut");
            assert.equal(last.endMs, Math.max(T0 - s.preRollMs, span.lastSeenMs + s.postRollMs));
            assert.equal(
              ws.length,
              Math.max(1, Math.ceil((span.lastSeenMs + s.postRollMs - (T0 - s.preRollMs)) / s.maxClipMs)),
            );
          }
        },
      ),
    );
  });

  void it("a camera's settings override the site's; only RTSP streams record", () => {
    const site = {
      enabled: false,
      pre_roll_s: 5,
      post_roll_s: 10,
      max_clip_s: 120,
      segment_s: 2,
      ring_margin_s: 10,
      ring_max_bytes: 1 << 28,
      min_free_bytes: 0,
    };
    assert.deepEqual(clipSettingsFor({ url: "rtsp://cam/1", clips: { enabled: true, pre_roll_s: 3 } }, site), {
      enabled: true,
      preRollMs: 3000,
      postRollMs: 10_000,
      maxClipMs: 120_000,
    });
    assert.equal(clipSettingsFor({ url: "rtsp://cam/1" }, site).enabled, false);
    assert.equal(clipSettingsFor({ url: "file:///etc/passwd", clips: { enabled: true } }, site).enabled, false);
    assert.equal(clipSettingsFor({ url: "http://cam/x.mjpg" }, { ...site, enabled: true }).enabled, false);
  });
});

void describe("clip files and ranges", () => {
  void it("clip paths come only from incident ids and numbers; anything else never reaches the disk", () => {
    const store = new ClipStore("/data");
    assert.equal(
      ClipStore.relativePath("0b7e3c1a-0000-4000-8000-000000000001", 2),
      "clips/0b7e3c1a-0000-4000-8000-000000000001/2.mp4",
    );
    for (const bad of ["../x", "a/b", "", "a".repeat(65)]) assert.throws(() => ClipStore.relativePath(bad, 0));
    assert.throws(() => ClipStore.relativePath("abc", -1));
    for (const file of [
      "clips/../../etc/passwd",
      "/etc/passwd",
      "clips/abc/0.mp4/../../x",
      "snapshots/abc/1.jpg",
      "clips/abc/0.mp4\0",
    ])
      assert.equal(store.absolute(file), undefined, file);
    assert.equal(store.absolute("clips/abc/0.mp4"), "/data/clips/abc/0.mp4");
    // The ring's directories are named by camera ids; nothing else becomes a path.
    const ring = new RecordingRing({
      root: "/data/recordings",
      records: () => true,
      segmentS: 2,
      bounds: { keepMs: 1, maxBytes: 1 },
      minFreeBytes: 0,
      intervalMs: 1000,
      log: silentLogger(),
    });
    assert.equal(ring.dir("yard-1"), "/data/recordings/yard-1");
    for (const bad of ["../etc", "a/b", "", ".", "..", "Yard", "a".repeat(65)]) assert.throws(() => ring.dir(bad), bad);
  });

  void it("byte ranges: any answer lies inside the file and has the asked length", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.option(fc.integer({ min: 0, max: 12_000 }), { nil: undefined }),
        fc.option(fc.integer({ min: 0, max: 12_000 }), { nil: undefined }),
        (size, a, b) => {
          const header = `bytes=${a ?? ""}-${b ?? ""}`;
          const r = parseByteRange(header, size);
          if (a === undefined && b === undefined) return assert.equal(r, undefined);
          if (r === undefined) return assert.fail("a range form must get an answer");
          if (r === "unsatisfiable")
            return assert.ok(
              (a !== undefined && (a >= size || (b !== undefined && b < a))) ||
                (a === undefined && (b === 0 || size === 0)),
            );
          assert.ok(r.start >= 0 && r.end < size && r.start <= r.end);
          if (a !== undefined) assert.equal(r.start, a);
          if (a === undefined && b !== undefined) assert.equal(r.end - r.start + 1, Math.min(b, size));
        },
      ),
    );
    assert.equal(parseByteRange(undefined, 10), undefined);
    assert.equal(parseByteRange("bytes=0-1,5-6", 10), undefined);
    assert.equal(parseByteRange("items=0-1", 10), undefined);
  });
});

void describe("recording argv", () => {
  void it("records the main stream by stream copy into strftime-named MPEG-TS segments, from the main input when detection reads a substream", () => {
    const recording = { dir: "/data/recordings/yard", pattern: "ab12_%s.ts", segmentS: 2 };
    const base = { working: { maxWidth: 640, maxHeight: 640 }, fps: 5, socketTimeoutS: 10 };
    const one = buildCameraArgv({ ...base, url: "rtsp://cam/main", recording });
    const tail = one.slice(one.indexOf("-f", one.indexOf("pipe:1")) - 10);
    assert.ok(
      one
        .join(" ")
        .includes(
          "-map 0:v:0 -c:v copy -an -sn -dn -f segment -segment_time 2 -segment_format mpegts -reset_timestamps 1 -strftime 1 /data/recordings/yard/ab12_%s.ts",
        ),
      tail.join(" "),
    );
    assert.equal(one.filter((a) => a === "-i").length, 1, "no second RTSP session");
    const sub = buildCameraArgv({ ...base, url: "rtsp://cam/sub", snapshotUrl: "rtsp://cam/main", recording });
    assert.equal(sub.filter((a) => a === "-i").length, 2);
    assert.ok(sub.join(" ").includes("-map 1:v:0 -c:v copy"), "the main stream is recorded, not the substream");
    assert.equal(buildCameraArgv({ ...base, url: "rtsp://cam/main" }).includes("segment"), false);
  });
});
