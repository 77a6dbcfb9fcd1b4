import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Detection, DetectionResult, Frame } from "../../src/contract/detection.js";
import { DetectionScheduler, type FrameDetector } from "../../src/inference/detection-scheduler.js";
import { silentLogger } from "../helpers/uplink-stack.js";

/** A detector whose runs the test finishes by hand, in any order. */
class HeldDetector implements FrameDetector {
  readonly held: Array<{ frame: Frame; finish: (fail?: boolean) => void }> = [];
  maxAtOnce = 0;

  detect(frame: Frame): Promise<{ detections: Detection[]; inferenceMs: number }> {
    return new Promise((resolve, reject) => {
      this.held.push({
        frame,
        finish: (fail) =>
          fail ? reject(new Error(`frame ${frame.index} failed`)) : resolve({ detections: [], inferenceMs: 1 }),
      });
      this.maxAtOnce = Math.max(this.maxAtOnce, this.held.length);
    });
  }

  /** Finishes the held run at `i` (of those still held) and lets the scheduler react. */
  async finish(i: number, fail = false): Promise<void> {
    const [run] = this.held.splice(i, 1);
    run?.finish(fail);
    await new Promise((r) => setImmediate(r));
  }
}

const frame = (cameraId: string, index: number): Frame => ({
  cameraId,
  index,
  capturedAt: index,
  width: 2,
  height: 2,
  rgb: Buffer.alloc(12),
  source: undefined,
});

function rig(depth?: number): { detector: HeldDetector; scheduler: DetectionScheduler; results: DetectionResult[] } {
  const detector = new HeldDetector();
  const results: DetectionResult[] = [];
  const scheduler = new DetectionScheduler(detector, (r) => results.push(r), silentLogger(), depth);
  return { detector, scheduler, results };
}

void describe("detection scheduler", () => {
  void it("keeps two frames with the detector and hands results out in the order the frames went in", async () => {
    const { detector, scheduler, results } = rig();
    await scheduler.start();
    for (const cam of ["a", "b", "c"]) scheduler.submit(frame(cam, 1));
    await new Promise((r) => setImmediate(r));
    assert.equal(detector.held.length, 2, "two frames with the detector, the third waits");
    // The second frame finishes first: nothing goes out until the first does.
    await detector.finish(1);
    assert.equal(results.length, 0);
    await detector.finish(0);
    assert.deepEqual(
      results.map((r) => r.cameraId),
      ["a", "b"],
    );
    assert.equal(detector.held.length, 1, "the waiting frame went in once both were out");
    await detector.finish(0);
    assert.deepEqual(
      results.map((r) => r.cameraId),
      ["a", "b", "c"],
    );
    assert.equal(scheduler.completed, 3);
    assert.equal(scheduler.working, false);
    await scheduler.stop();
  });

  void it("keeps only a camera's newest frame while it waits, and counts the ones it replaced", async () => {
    const { detector, scheduler, results } = rig(1);
    await scheduler.start();
    scheduler.submit(frame("a", 1));
    await new Promise((r) => setImmediate(r));
    for (let i = 2; i <= 5; i++) scheduler.submit(frame("a", i));
    await detector.finish(0);
    await detector.finish(0);
    assert.deepEqual(
      results.map((r) => r.frameIndex),
      [1, 5],
    );
    assert.deepEqual(scheduler.stats("a"), { analysed: 2, skipped: 3 });
    await scheduler.stop();
  });

  void it("a failed frame is logged and counted as completed, and the next one still goes out", async () => {
    const { detector, scheduler, results } = rig();
    await scheduler.start();
    scheduler.submit(frame("a", 1));
    scheduler.submit(frame("b", 1));
    await new Promise((r) => setImmediate(r));
    await detector.finish(0, true);
    await detector.finish(0);
    assert.deepEqual(
      results.map((r) => r.cameraId),
      ["b"],
    );
    assert.equal(scheduler.completed, 2);
    assert.deepEqual(scheduler.stats("a"), { analysed: 0, skipped: 0 });
    await scheduler.stop();
  });

  void it("stop waits for the frames with the detector and takes no new ones", async () => {
    const { detector, scheduler } = rig();
    await scheduler.start();
    scheduler.submit(frame("a", 1));
    await new Promise((r) => setImmediate(r));
    let stopped = false;
    const stopping = scheduler.stop().then(() => (stopped = true));
    scheduler.submit(frame("b", 1));
    await new Promise((r) => setImmediate(r));
    assert.equal(stopped, false);
    await detector.finish(0);
    await stopping;
    assert.equal(detector.held.length, 0, "nothing was sent after stop");
  });

  void it("whatever the cameras send and whatever order runs end in, at most `depth` run at once, results follow the order frames were taken, and each camera's frames go out in order", async () => {
    const step = fc.oneof(
      fc.record({ submit: fc.constantFrom("a", "b", "c") }),
      fc.record({ finish: fc.nat(), fail: fc.boolean() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 60 }), fc.integer({ min: 1, max: 3 }), async (steps, depth) => {
        const { detector, scheduler, results } = rig(depth);
        const taken: string[] = [];
        const detect = detector.detect.bind(detector);
        detector.detect = (f) => (taken.push(`${f.cameraId}${f.index}`), detect(f));
        await scheduler.start();
        const next = new Map<string, number>();
        for (const s of steps) {
          if ("submit" in s) {
            const i = (next.get(s.submit) ?? 0) + 1;
            next.set(s.submit, i);
            scheduler.submit(frame(s.submit, i));
            await new Promise((r) => setImmediate(r));
          } else if (detector.held.length > 0) {
            await detector.finish(s.finish % detector.held.length, s.fail);
          }
        }
        while (detector.held.length > 0) await detector.finish(0);
        assert.ok(detector.maxAtOnce <= depth, `${detector.maxAtOnce} at once with depth ${depth}`);
        const out = results.map((r) => `${r.cameraId}${r.frameIndex}`);
        const order = out.map((o) => taken.indexOf(o));
        assert.deepEqual(
          order,
          [...order].sort((x, y) => x - y),
          `results ${out.join(",")} vs taken ${taken.join(",")}`,
        );
        for (const cam of ["a", "b", "c"]) {
          const idx = results.filter((r) => r.cameraId === cam).map((r) => r.frameIndex);
          assert.deepEqual(
            idx,
            [...idx].sort((x, y) => x - y),
          );
        }
        assert.equal(scheduler.completed, taken.length);
        await scheduler.stop();
      }),
      { numRuns: 150 },
    );
  });
});
