// Incident snapshots on a real data directory: written atomically, carried in evidence packs with
// their hashes (a changed byte is named by verify), and deleted with their incident by retention,
// never with an incident that is still open.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { checkpointPublicJwk, generateCheckpointKeyPem } from "../../src/audit/checkpoint.js";
import type { VigilEvents } from "../../src/contract/events.js";
import { ErrorCodes } from "../../src/core/errors.js";
import { EventBus } from "../../src/core/event-bus.js";
import { PACKAGE_ROOT } from "../../src/core/version.js";
import { EvidenceExporter } from "../../src/incidents/evidence/exporter.js";
import { serviceEvidenceSource, storeEvidenceSource } from "../../src/incidents/evidence/source.js";
import { verifyEvidenceFiles } from "../../src/incidents/evidence/verify.js";
import { unzipFiles } from "../../src/incidents/evidence/zip.js";
import { IncidentService } from "../../src/incidents/incident-service.js";
import { RetentionJob } from "../../src/incidents/retention-job.js";
import { SnapshotStore } from "../../src/incidents/snapshot-store.js";
import { type AuthStack, openAuthStack } from "../helpers/auth-stack.js";
import { expectVigilAsync } from "../helpers/expect-vigil.js";
import { TEST_IDENTITY } from "../helpers/store-stack.js";
import { silentLogger } from "../helpers/uplink-stack.js";

const DAY = 86_400_000;
const photo = (name: string) => readFile(join(PACKAGE_ROOT, "test", "fixtures", "data", "photos", name));

let dir: string;
let stack: AuthStack;
let snapshots: SnapshotStore;
let clock: number;
let incidents: IncidentService;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "vigil-snapshots-"));
  stack = await openAuthStack(dir);
  snapshots = new SnapshotStore(dir);
  clock = Date.now();
  incidents = new IncidentService(
    stack.store.db,
    stack.store.outbox,
    new EventBus<VigilEvents>(() => {}),
    silentLogger(),
    stack.audit,
    { minConfidence: 0.5 },
    () => clock,
  );
});
after(async () => {
  await stack.close();
  await rm(dir, { recursive: true, force: true });
});

async function raiseWithSnapshots(photos: string[]) {
  const id = crypto.randomUUID();
  const refs = [];
  for (const [n, name] of photos.entries()) refs.push(await snapshots.save(id, n + 1, await photo(name), clock));
  return incidents.create({
    id,
    cameraId: "yard",
    rule: "door",
    zone: "server-door",
    objects: [{ label: "person", score: 0.8, box: { x1: 0.4, y1: 0.3, x2: 0.5, y2: 0.7 }, track_id: 1 }],
    startedAt: clock,
    lastSeenAt: clock,
    summary: "Person in restricted zone",
    nextStep: "notify",
    snapshots: refs,
  });
}

void describe("incident snapshots", () => {
  void it("are written whole under snapshots/<id>/<n>.jpg with their hash, no temporary file left, and never outside", async () => {
    const jpeg = await photo("person.jpg");
    const ref = await snapshots.save(
      "0b7e3c1a-0000-4000-8000-000000000001",
      1,
      jpeg,
      Date.parse("2026-11-16T22:00:00Z"),
    );
    assert.deepEqual(ref, {
      file: "snapshots/0b7e3c1a-0000-4000-8000-000000000001/1.jpg",
      captured_at: "2026-11-16T22:00:00.000Z",
      sha256: createHash("sha256").update(jpeg).digest("hex"),
      bytes: jpeg.byteLength,
    });
    assert.deepEqual(await readFile(join(dir, ref.file)), jpeg);
    assert.deepEqual(await readdir(join(dir, "snapshots", "0b7e3c1a-0000-4000-8000-000000000001")), ["1.jpg"]);
    await expectVigilAsync(snapshots.save("../../etc", 1, jpeg, 0), ErrorCodes.VALIDATION);
    assert.equal(await snapshots.read("snapshots/../../etc/passwd"), undefined);
  });

  void it("go into the evidence pack with their hashes; one changed byte is named by verify", async () => {
    const incident = await raiseWithSnapshots(["person.jpg", "sample1.jpg"]);
    assert.equal(incident.snapshots?.length, 2);
    const pem = generateCheckpointKeyPem();
    for (const source of [
      serviceEvidenceSource(incidents, stack.audit, snapshots),
      storeEvidenceSource(stack.store.db),
    ]) {
      const pack = await new EvidenceExporter(source, stack.audit, pem, TEST_IDENTITY).export(incident.id, "otto");
      const files = unzipFiles(pack.zip);
      assert.deepEqual(Buffer.from(files.get("snapshots/2.jpg") ?? []), await photo("sample1.jpg"));
      const listed = pack.manifest.files.find((f) => f.path === "snapshots/1.jpg");
      assert.equal(listed?.sha256, incident.snapshots?.[0]?.sha256, "the manifest hash is the hash taken at capture");
      assert.deepEqual((await verifyEvidenceFiles(files, checkpointPublicJwk(pem))).problems, []);
      const tampered = new Map(files);
      const bytes = Buffer.from(files.get("snapshots/1.jpg") ?? []);
      bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] ?? 0) ^ 0x01;
      tampered.set("snapshots/1.jpg", bytes);
      const verdict = await verifyEvidenceFiles(tampered, checkpointPublicJwk(pem));
      assert.equal(verdict.ok, false);
      assert.deepEqual(verdict.problems, [{ file: "snapshots/1.jpg", problem: "hash_mismatch" }]);
    }
  });

  void it("are deleted with their incident by retention, counted in its bytes, never with an open one", async () => {
    clock = Date.now() - 100 * DAY;
    const oldDismissed = await raiseWithSnapshots(["sample2.jpg"]);
    await incidents.decide(oldDismissed.id, { action: "dismiss", actor: "otto", reason: "normal_behavior" });
    const oldOpen = await raiseWithSnapshots(["sample3.jpg"]);
    clock = Date.now();
    const recentClosed = await raiseWithSnapshots(["horses.jpg", "dog.jpg"]);
    await incidents.decide(recentClosed.id, { action: "monitor", actor: "otto" });
    await incidents.decide(recentClosed.id, { action: "close", actor: "otto" });
    // An orphan (its incident is gone), older than the grace period: the sweep removes it too.
    const orphan = await snapshots.save("0b7e3c1a-0000-4000-8000-00000000dead", 1, await photo("dog.jpg"), clock);
    const old = new Date(clock - 2 * 3_600_000);
    await utimes(join(dir, "snapshots", "0b7e3c1a-0000-4000-8000-00000000dead"), old, old);

    const job = (policy: { maxAgeDays: number; maxBytes: number }) =>
      new RetentionJob({
        database: stack.store.db,
        commits: stack.store.commits,
        audit: stack.audit,
        index: incidents.index,
        policy,
        intervalMs: 3_600_000,
        log: silentLogger(),
        snapshots,
      });
    assert.deepEqual(await job({ maxAgeDays: 30, maxBytes: 0 }).sweep(), { byAge: 1, byBudget: 0 });
    await assert.rejects(stat(join(dir, "snapshots", oldDismissed.id)), { code: "ENOENT" });
    await assert.rejects(stat(join(dir, orphan.file)), { code: "ENOENT" });
    assert.ok(
      (await stat(join(dir, oldOpen.snapshots?.[0]?.file ?? "x"))).isFile(),
      "an open incident keeps its snapshots, however old",
    );

    // The recent closed incident is small as JSON but its two photos are not: the budget sees them.
    const jsonBytes = Buffer.byteLength(JSON.stringify(await incidents.get(recentClosed.id)));
    const photoBytes = (recentClosed.snapshots ?? []).reduce((s, r) => s + r.bytes, 0);
    assert.ok(photoBytes > 10 * jsonBytes);
    const everyone = (await incidents.all()).reduce((s, i) => s + Buffer.byteLength(JSON.stringify(i)), 0);
    assert.deepEqual(await job({ maxAgeDays: 0, maxBytes: everyone + 1000 }).sweep(), { byAge: 0, byBudget: 1 });
    await assert.rejects(stat(join(dir, "snapshots", recentClosed.id)), { code: "ENOENT" });
    assert.ok(await incidents.get(oldOpen.id));
  });
});
