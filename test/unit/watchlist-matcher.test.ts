import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { cosineSimilarity, l2Normalise } from "../../src/inference/faces/embedding-math.js";
import { type GalleryPerson, matchEmbedding } from "../../src/inference/faces/watchlist-matcher.js";

const DIM = 16;
const vector = fc
  .array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: DIM, maxLength: DIM })
  .filter((v) => v.some((x) => Math.abs(x) > 1e-3));
const unit = (v: number[]): Float32Array => l2Normalise(Float32Array.from(v));
const person = (id: string, embeddings: Float32Array[], threshold: number | null = null): GalleryPerson => ({
  id,
  name: id.toUpperCase(),
  threshold,
  model: "m",
  embeddings,
});

void describe("embedding maths", () => {
  void it("l2Normalise gives unit length and keeps the direction", () => {
    fc.assert(
      fc.property(vector, (v) => {
        const u = unit(v);
        const norm = Math.hypot(...u);
        return Math.abs(norm - 1) < 1e-5 && cosineSimilarity(u, Float32Array.from(v)) > 0.9999;
      }),
    );
  });

  void it("l2Normalise refuses a zero vector", () => {
    assert.throws(() => l2Normalise(new Float32Array(4)), RangeError);
  });

  void it("cosine similarity is symmetric, bounded, 1 for itself and -1 for its opposite", () => {
    fc.assert(
      fc.property(vector, vector, (a, b) => {
        const x = unit(a),
          y = unit(b);
        const s = cosineSimilarity(x, y);
        return (
          Math.abs(s - cosineSimilarity(y, x)) < 1e-9 &&
          s >= -1 &&
          s <= 1 &&
          Math.abs(cosineSimilarity(x, x) - 1) < 1e-5 &&
          Math.abs(
            cosineSimilarity(
              x,
              x.map((e) => -e),
            ) + 1,
          ) < 1e-5
        );
      }),
    );
  });
});

void describe("matchEmbedding", () => {
  const a = unit([1, 0, 0, 0]),
    b = unit([0, 1, 0, 0]),
    ab = unit([1, 1, 0, 0]),
    c = unit([0, 0, 1, 0]);

  void it("an empty watchlist knows nobody", () => {
    assert.deepEqual(matchEmbedding(a, [], 0.5), { kind: "unknown", similarity: -1, nearestId: null });
  });

  void it("the nearest person above the global threshold is the identity", () => {
    const r = matchEmbedding(unit([1, 0.1, 0, 0]), [person("anna", [a]), person("ben", [b])], 0.5);
    assert.equal(r.kind, "match");
    assert.equal(r.kind === "match" && r.personId, "anna");
  });

  void it("below the threshold the face is unknown, with the nearest score kept", () => {
    const r = matchEmbedding(ab, [person("anna", [a])], 0.9);
    assert.deepEqual(r, { kind: "unknown", similarity: cosineSimilarity(ab, a), nearestId: "anna" });
  });

  void it("a person's own threshold overrides the global one, both ways", () => {
    const s = cosineSimilarity(ab, a); // ~0.707
    assert.equal(matchEmbedding(ab, [person("anna", [a], 0.6)], 0.9).kind, "match");
    assert.equal(matchEmbedding(ab, [person("anna", [a], 0.8)], 0.5).kind, "unknown");
    const r = matchEmbedding(ab, [person("anna", [a], 0.6)], 0.9);
    assert.equal(r.kind === "match" && r.threshold, 0.6);
    assert.ok(s > 0.7 && s < 0.71);
  });

  void it("a person's best embedding counts (several photos, several poses)", () => {
    const r = matchEmbedding(c, [person("anna", [a, b, c])], 0.9);
    assert.equal(r.kind === "match" && r.personId, "anna");
    assert.ok(r.similarity > 0.9999);
  });

  void it("never claims someone when another enrolled person is nearer", () => {
    fc.assert(
      fc.property(
        vector,
        fc.array(fc.tuple(vector, fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null })), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (probe, people, global) => {
          const gallery = people.map(([v, t], i) => person(`p${i}`, [unit(v)], t));
          const q = unit(probe);
          const r = matchEmbedding(q, gallery, global);
          const best = Math.max(...gallery.map((p) => cosineSimilarity(q, p.embeddings[0] as Float32Array)));
          if (Math.abs(r.similarity - best) > 1e-9) return false;
          if (r.kind === "unknown") return true;
          const chosen = gallery.find((p) => p.id === r.personId) as GalleryPerson;
          return r.similarity >= (chosen.threshold ?? global) && r.threshold === (chosen.threshold ?? global);
        },
      ),
    );
  });
});
