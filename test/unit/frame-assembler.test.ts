// ffmpeg's rawvideo pipe arrives in arbitrary chunks; frames must come out whole, exact and in order.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { FrameAssembler } from "../../src/ingest/frame-assembler.js";

/** A byte stream of `k` frames plus a partial tail, and cut points that chunk it arbitrarily. */
const streamArb = fc
  .record({
    frameBytes: fc.integer({ min: 1, max: 300 }),
    k: fc.integer({ min: 0, max: 8 }),
    tailFraction: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
    seed: fc.integer(),
  })
  .chain(({ frameBytes, k, tailFraction, seed }) => {
    const tail = Math.floor(tailFraction * frameBytes);
    const total = k * frameBytes + tail;
    return fc
      .record({
        cuts: fc.uniqueArray(fc.integer({ min: 0, max: total }), { maxLength: 40 }),
        // Some chunks are empty: a pipe can deliver zero-length reads.
        empties: fc.array(fc.integer({ min: 0, max: total }), { maxLength: 3 }),
      })
      .map(({ cuts, empties }) => {
        const bytes = Buffer.alloc(total);
        let x = seed | 0;
        for (let i = 0; i < total; i++) {
          x = (Math.imul(x, 1103515245) + 12345) | 0;
          bytes[i] = (x >>> 16) & 0xff;
        }
        const points = [...new Set([0, ...cuts, total])].sort((a, b) => a - b);
        const chunks: Buffer[] = [];
        for (let i = 1; i < points.length; i++) {
          const start = points[i - 1]!;
          if (empties.includes(start)) chunks.push(Buffer.alloc(0));
          // Copies, so the test can scribble over a chunk after pushing it.
          chunks.push(Buffer.from(bytes.subarray(start, points[i])));
        }
        return { frameBytes, k, tail, bytes, chunks };
      });
  });

void describe("FrameAssembler", () => {
  void it("emits exactly the k whole frames, byte-identical, in order, in distinct buffers; pending = tail", () => {
    fc.assert(
      fc.property(streamArb, ({ frameBytes, k, tail, bytes, chunks }) => {
        const frames: Buffer[] = [];
        const assembler = new FrameAssembler(frameBytes, (f) => frames.push(f));
        for (const chunk of chunks) {
          assembler.push(chunk);
          // The assembler must have copied what it needs: reusing the pipe's buffer is allowed.
          chunk.fill(0xee);
        }
        assert.equal(frames.length, k);
        assert.equal(assembler.pending, tail);
        assert.equal(new Set(frames).size, frames.length);
        // Compared only now, after later frames were assembled: an assembler that reused its
        // buffer would have overwritten the earlier frames by this point.
        frames.forEach((frame, i) => {
          assert.equal(frame.length, frameBytes);
          assert.ok(frame.equals(bytes.subarray(i * frameBytes, (i + 1) * frameBytes)), `frame ${i} differs`);
        });
      }),
    );
  });

  void it("a frame kept by the receiver is not changed by later frames", () => {
    const frames: Buffer[] = [];
    const a = new FrameAssembler(4, (f) => frames.push(f));
    a.push(Buffer.from([1, 1, 1, 1, 2, 2]));
    a.push(Buffer.from([2, 2, 3, 3, 3, 3]));
    assert.deepEqual(
      frames.map((f) => [...f]),
      [
        [1, 1, 1, 1],
        [2, 2, 2, 2],
        [3, 3, 3, 3],
      ],
    );
  });

  void it("reset drops the partial frame so the next frame starts clean", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 64 }), fc.nat(), (frameBytes, partialSeed) => {
        const partial = 1 + (partialSeed % (frameBytes - 1));
        const frames: Buffer[] = [];
        const a = new FrameAssembler(frameBytes, (f) => frames.push(f));
        a.push(Buffer.alloc(partial, 0xaa));
        assert.equal(a.pending, partial);
        a.reset();
        assert.equal(a.pending, 0);
        a.push(Buffer.alloc(frameBytes, 0x55));
        assert.equal(frames.length, 1);
        assert.ok(frames[0]!.equals(Buffer.alloc(frameBytes, 0x55)));
      }),
    );
  });

  void it("refuses a frame size that is not a positive safe integer", () => {
    for (const size of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => new FrameAssembler(size, () => {}), RangeError);
    }
  });
});
