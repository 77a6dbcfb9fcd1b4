import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  analyseFaces,
  type FaceAnalysisState,
  type FaceRulesSetup,
  forgetPerson,
  NEW_FACE_ANALYSIS,
} from "../../src/analytics/face-analysis.js";
import { tamperRule } from "../../src/analytics/rules/tamper.js";
import { DEFAULT_TRACKER_OPTIONS } from "../../src/analytics/tracker.js";
import type { SeenFace } from "../../src/analytics/rules/candidate.js";
import type { RuleCandidate } from "../../src/analytics/rules/candidate.js";

const SETUP: FaceRulesSetup = {
  tracker: DEFAULT_TRACKER_OPTIONS,
  watchlist: { minSimilarity: 0.6, nextStep: "notify" },
  unknown: { cameras: ["door"], nextStep: "monitor" },
};
const face = (identity: SeenFace["identity"], x = 0.4): SeenFace => ({
  box: { x1: x, y1: 0.2, x2: x + 0.1, y2: 0.35 },
  score: 0.9,
  identity,
});
const JANE = { personId: "p-17", name: "Jane Roe", similarity: 0.82 };

function replay(frames: SeenFace[][], cameraId = "door", setup = SETUP): RuleCandidate[] {
  let state: FaceAnalysisState = NEW_FACE_ANALYSIS;
  const out: RuleCandidate[] = [];
  frames.forEach((faces, i) => {
    const step = analyseFaces(state, faces, cameraId, i * 200, setup);
    state = step.state;
    out.push(...step.candidates);
  });
  return out;
}

void describe("face rules", () => {
  void it("a watchlist match above threshold on a confirmed face names the person, once the track counts", () => {
    const out = replay([[face(null)], [face(JANE)], [face(null)], [face(null)]]);
    assert.ok(out.length >= 1);
    assert.ok(out.every((c) => c.rule === "watchlist_face" && c.subject === "p-17"));
    assert.deepEqual(out[0]?.identity, { person_id: "p-17", name: "Jane Roe", similarity: 0.82 });
    assert.equal(out[0]?.summary, "Watchlist match: Jane Roe (similarity 0.82) on camera door");
    assert.equal(out[0]?.confidence, 0.82, "the weaker of face score and similarity");
  });

  void it("a match below threshold names no one: the face stays unknown where unknown faces count", () => {
    const out = replay([[face({ ...JANE, similarity: 0.55 })], [face(null)], [face(null)]]);
    assert.deepEqual(
      out.map((c) => c.rule),
      ["unknown_face"],
    );
    assert.equal(out[0]?.identity, undefined);
    assert.doesNotMatch(out[0]?.summary ?? "", /Jane/);
  });

  void it("a person deleted from the watchlist is forgotten by a track still in view: it turns unknown, never named again", () => {
    let state: FaceAnalysisState = NEW_FACE_ANALYSIS;
    const step = (faces: SeenFace[], i: number): RuleCandidate[] => {
      const r = analyseFaces(state, faces, "door", i * 200, SETUP);
      state = r.state;
      return r.candidates;
    };
    const before = [[face(JANE)], [face(null)], [face(null)]].flatMap((f, i) => step(f, i));
    assert.ok(before.some((c) => c.rule === "watchlist_face"));
    state = forgetPerson(state, "p-17");
    const after = [[face(null)], [face(null)], [face(null)]].flatMap((f, i) => step(f, i + 3));
    assert.ok(
      after.every((c) => c.rule !== "watchlist_face" && c.identity === undefined),
      JSON.stringify(after),
    );
    assert.doesNotMatch(JSON.stringify(after), /Jane/);
  });

  void it("unknown faces count only on the configured cameras, and a one-frame face never", () => {
    assert.deepEqual(replay([[face(null)], [face(null)], [face(null)]], "lobby"), []);
    assert.deepEqual(replay([[face(null)], [], [face(null, 0.8)], []]), []);
  });

  void it("tamper: only the configured event types, confidence 1, grouped by event type", () => {
    const o = { events: ["tamper", "video_loss"], nextStep: "notify" as const };
    assert.equal(tamperRule({ cameraId: "gate", event: "motion", at: 0, details: {} }, o), undefined);
    const c = tamperRule({ cameraId: "gate", event: "video_loss", at: 5, details: {} }, o);
    assert.equal(c?.rule, "tamper");
    assert.equal(c?.confidence, 1);
    assert.equal(c?.subject, "video_loss");
    assert.equal(c?.summary, "Camera gate reported tampering (video_loss)");
  });
});
