// Finding the verb a user meant: the edit distance is a metric, and the closest verb is a real one.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Command } from "commander";
import fc from "fast-check";
import { closestVerb, editDistance, findUnknownVerb } from "../../src/cli/unknown-verb.js";

const word = fc.string({ minLength: 0, maxLength: 12 });

void describe("editDistance", () => {
  void it("is zero exactly for equal words, symmetric, and obeys the triangle inequality", () => {
    fc.assert(
      fc.property(word, word, word, (a, b, c) => {
        assert.equal(editDistance(a, b) === 0, a === b);
        assert.equal(editDistance(a, b), editDistance(b, a));
        assert.ok(editDistance(a, c) <= editDistance(a, b) + editDistance(b, c));
        assert.ok(editDistance(a, b) <= Math.max(a.length, b.length));
      }),
    );
  });
  void it("counts one edit for one insertion, deletion or substitution", () => {
    assert.equal(editDistance("health", "helth"), 1);
    assert.equal(editDistance("camera", "cameras"), 1);
    assert.equal(editDistance("user", "usr"), 1);
    assert.equal(editDistance("kitten", "sitting"), 3);
  });
});

void describe("closestVerb", () => {
  void it("answers one of the verbs, at the least distance", () => {
    fc.assert(
      fc.property(word, fc.array(word, { minLength: 1, maxLength: 8 }), (w, verbs) => {
        const best = closestVerb(w, verbs);
        assert.ok(best !== undefined && verbs.includes(best));
        if (!best.startsWith(w) || w === "")
          for (const v of verbs)
            if (!v.startsWith(w) || w === "") assert.ok(editDistance(w, best) <= editDistance(w, v));
      }),
    );
  });
  void it("prefers a verb that starts with what was typed", () => {
    assert.equal(closestVerb("diag", ["run", "detect", "diagnose"]), "diagnose");
    assert.equal(closestVerb("helth", ["health", "help", "run"]), "health");
  });
});

void describe("findUnknownVerb", () => {
  const program = new Command().name("vigil");
  program.command("run").option("-c, --config <file>");
  const camera = program.command("camera");
  camera.command("list");
  void it("passes known verbs and whatever a leaf command takes", () => {
    assert.equal(findUnknownVerb(program, ["run", "-c", "x.yaml", "anything"]), undefined);
    assert.equal(findUnknownVerb(program, ["camera", "list", "--json"]), undefined);
    assert.equal(findUnknownVerb(program, ["--help"]), undefined);
    assert.equal(findUnknownVerb(program, ["help", "camera"]), undefined);
  });
  void it("finds an unknown verb at any depth, with the closest one", () => {
    assert.deepEqual(findUnknownVerb(program, ["cmaera", "--help"]), {
      path: [],
      word: "cmaera",
      suggestion: "camera",
    });
    assert.deepEqual(findUnknownVerb(program, ["camera", "lst"]), {
      path: ["camera"],
      word: "lst",
      suggestion: "list",
    });
  });
});
