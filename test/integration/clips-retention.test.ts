// Clip retention on a real store and data directory: past incidents.clips_max_bytes the clips of
// the oldest finished incidents go first, never those of an open or under-review incident, even
// over budget; clip directories whose incident is gone go after an hour; each sweep is audited.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ClipRef, Incident } from "../../src/contract/incident.js";
import { ClipRetention } from "../../src/incidents/clips/clip-retention.js";
import { ClipStore } from "../../src/incidents/clips/clip-store.js";
import { openClipRig, type ClipRig } from "../helpers/clip-rig.js";
import { silentLogger } from "../helpers/uplink-stack.js";

let dir: string;
let rig: ClipRig;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "vigil-clip-retention-"));
  rig = await openClipRig({ urls: {}, dir, tickMs: 3_600_000 });
});
after(async () => {
  await rig.close();
  await rm(dir, { recursive: true, force: true });
});

/** An incident with one clip file of `bytes` bytes on disk, its status set by real decisions. */
async function incidentWithClip(bytes: number, status: "open" | "dismissed" | "escalated"): Promise<Incident> {
  const at = Date.now();
  const created = await rig.incidents.create({
    cameraId: "yard",
    rule: "restricted",
    objects: [{ label: "person", score: 0.9, box: { x1: 0, y1: 0, x2: 0.1, y2: 0.1 } }],
    startedAt: at,
    lastSeenAt: at,
    summary: "x",
  });
  const file = ClipStore.relativePath(created.id, 0);
  await mkdir(join(dir, "clips", created.id), { recursive: true });
  await writeFile(join(dir, file), Buffer.alloc(bytes, 1));
  const clip: ClipRef = {
    file,
    start: new Date(at).toISOString(),
    end: new Date(at + 1000).toISOString(),
    duration_s: 1,
    sha256: "0".repeat(64),
    bytes,
    gaps: [],
  };
  await rig.incidents.update(created.id, { lastSeenAt: at, clips: [clip] });
  if (status === "dismissed")
    return rig.incidents.decide(created.id, { action: "dismiss", reason: "normal_behavior", actor: "op" });
  if (status === "escalated") return rig.incidents.decide(created.id, { action: "escalate", actor: "op" });
  return (await rig.incidents.get(created.id)) as Incident;
}

void describe("clip retention", () => {
  void it("deletes the oldest finished incidents' clips down to the budget, never an open or escalated incident's, and audits it", async () => {
    const open = await incidentWithClip(400_000, "open");
    const oldDismissed = await incidentWithClip(300_000, "dismissed");
    const escalated = await incidentWithClip(300_000, "escalated");
    const newDismissed = await incidentWithClip(300_000, "dismissed");
    const retention = new ClipRetention({
      dataDir: dir,
      store: rig.store,
      incidents: rig.incidents,
      audit: rig.stack.audit,
      maxBytes: 1_000_000,
      intervalMs: 3_600_000,
      log: silentLogger(),
    });
    const first = await retention.sweep();
    assert.deepEqual(first.byBudget, [oldDismissed.id], "the oldest finished first, only as many as needed");
    const left = new Set(await readdir(join(dir, "clips")));
    for (const keep of [open, escalated, newDismissed]) assert.ok(left.has(keep.id), `${keep.status} kept`);
    assert.ok(!left.has(oldDismissed.id));
    // Over budget with only open and under-review incidents left: nothing more goes.
    const tight = new ClipRetention({
      dataDir: dir,
      store: rig.store,
      incidents: rig.incidents,
      audit: rig.stack.audit,
      maxBytes: 1,
      intervalMs: 3_600_000,
      log: silentLogger(),
    });
    const second = await tight.sweep();
    assert.deepEqual(second.byBudget, [newDismissed.id]);
    const after = new Set(await readdir(join(dir, "clips")));
    assert.ok(after.has(open.id) && after.has(escalated.id), "open and escalated incidents' clips are never deleted");
    const audited = await rig.stack.audit.list({ action: "retention.clips_deleted" });
    assert.deepEqual(
      audited.map((e) => (e.details as { by_budget: string[] }).by_budget),
      [[oldDismissed.id], [newDismissed.id]],
      "each sweep that deletes is audited",
    );
    // The incident keeps its clip list (hash and all); the file is gone.
    assert.equal((await rig.incidents.get(oldDismissed.id))?.clips?.length, 1);
    assert.equal(await rig.store.size(`clips/${oldDismissed.id}/0.mp4`), undefined);
  });

  void it("removes clip directories whose incident no longer exists once they are an hour old", async () => {
    const ghost = "0b7e3c1a-0000-4000-8000-0000000000ff";
    const fresh = "0b7e3c1a-0000-4000-8000-0000000000fe";
    for (const id of [ghost, fresh]) {
      await mkdir(join(dir, "clips", id), { recursive: true });
      await writeFile(join(dir, "clips", id, "0.mp4"), "x");
    }
    const old = new Date(Date.now() - 2 * 3_600_000);
    await utimes(join(dir, "clips", ghost), old, old);
    const retention = new ClipRetention({
      dataDir: dir,
      store: rig.store,
      incidents: rig.incidents,
      audit: rig.stack.audit,
      maxBytes: 0,
      intervalMs: 3_600_000,
      log: silentLogger(),
    });
    const { orphans } = await retention.sweep();
    assert.deepEqual(orphans, [ghost]);
    const names = await readdir(join(dir, "clips"));
    assert.ok(names.includes(fresh), "a recent directory may belong to an incident being created");
    assert.ok(!names.includes(ghost));
  });
});
