// Verifying the audit chain from the last verified point (`--from-checkpoint`, `GET
// /v1/audit/verify?from=checkpoint`) on a real store: only what came after is walked, a change
// after the point (or to the point's own entry) is found, a forged point is ignored (full walk),
// and a full walk is still there and finds what a walk from the point cannot (changes before it).
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { VERIFIED_KEY } from "../../src/audit/audit-log.js";
import { auditKey } from "../../src/store/keys.js";
import type { AuditEntry } from "../../src/contract/audit.js";
import { openAuthStack } from "../helpers/auth-stack.js";
import { addUser, bearer, loginOk, PASSWORD } from "../helpers/auth-client.js";
import { provisionBox, runCli } from "../helpers/daemon.js";

void describe("audit verify from the last verified point (LevelDB, HTTP)", () => {
  void it("walks only what is new, finds changes after the point, ignores a forged point, and a full walk stays available", async () => {
    const dir = await mkdtemp(join(tmpdir(), "vigil-audit-checkpoint-"));
    const stack = await openAuthStack(dir);
    try {
      const { audit } = stack;
      const sub = stack.store.db.sublevels;
      const add = async (n: number) => {
        for (let i = 0; i < n; i++)
          await audit.record({ actor: "otto", action: "test.step", target: `thing:${i}`, result: "ok" });
      };
      const tamper = async (seq: number) => {
        const e = (await sub.audit.get(auditKey(seq))) as AuditEntry;
        await sub.audit.put(auditKey(seq), { ...e, target: "thing:changed" });
      };
      await add(20);
      const full = await audit.verify();
      assert.deepEqual(
        [full.ok, full.checked, full.lastSeq, full.fromSeq],
        [true, audit.head.seq, audit.head.seq, undefined],
      );
      const point = full.lastSeq;

      await add(5);
      const since = await audit.verify(undefined, { fromCheckpoint: true });
      assert.deepEqual([since.ok, since.checked, since.fromSeq, since.lastSeq], [true, 5, point, point + 5]);
      // The point moved on: the next walk from it has nothing new.
      assert.deepEqual([(await audit.verify(undefined, { fromCheckpoint: true })).checked], [0]);

      // A change before the point is only found by a full walk (what the point trades for speed).
      await tamper(3);
      assert.equal((await audit.verify(undefined, { fromCheckpoint: true })).ok, true);
      const fullAgain = await audit.verify();
      assert.deepEqual([fullAgain.ok, fullAgain.firstBad], [false, { seq: 3, reason: "mac_mismatch" }]);
      // The failed full walk did not move the point; after it, a change after the point is found.
      await add(4);
      const head = audit.head.seq;
      await tamper(head - 1);
      const broken = await audit.verify(undefined, { fromCheckpoint: true });
      assert.deepEqual(
        [broken.ok, broken.firstBad, broken.fromSeq],
        [false, { seq: head - 1, reason: "mac_mismatch" }, point + 5],
      );

      // The point's own entry changed: reported at the point.
      const stored = (await sub.meta.get(VERIFIED_KEY)) as { seq: number };
      await tamper(stored.seq);
      assert.deepEqual((await audit.verify(undefined, { fromCheckpoint: true })).firstBad, {
        seq: stored.seq,
        reason: "mac_mismatch",
      });

      // A point written without the audit key (someone skipping the tampered entries) is ignored: a full walk.
      await sub.meta.put(VERIFIED_KEY, { seq: head, mac: "0".repeat(64), tag: "f".repeat(64) });
      const forged = await audit.verify(undefined, { fromCheckpoint: true });
      assert.deepEqual([forged.ok, forged.fromSeq, forged.firstBad?.seq], [false, undefined, 3]);

      // Over HTTP, for supervisors.
      await addUser(stack.auth, "sue", "supervisor");
      const token = (await loginOk(stack.app, "sue")).access_token;
      const r = await stack.app.inject({
        method: "GET",
        url: "/v1/audit/verify?from=checkpoint",
        headers: bearer(token),
      });
      assert.equal(r.statusCode, 200);
      assert.equal(r.json<{ ok: boolean }>().ok, false);
      assert.equal(
        (await stack.app.inject({ method: "GET", url: "/v1/audit/verify?from=yesterday", headers: bearer(token) }))
          .statusCode,
        400,
      );
    } finally {
      await stack.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  void it("vigil audit verify --from-checkpoint (daemon stopped) walks only what came after the last verified entry", async () => {
    const box = await provisionBox({ site: "hq", gateway: "gw-cli" });
    try {
      const added = await runCli(["user", "add", "otto", "--role", "viewer", "--config", box.configPath], {}, PASSWORD);
      assert.equal(added.code, 0, added.stderr);
      const full = await runCli(["audit", "verify", "--config", box.configPath, "--json"]);
      assert.equal(full.code, 0, full.stdout + full.stderr);
      const first = JSON.parse(full.stdout) as { ok: boolean; checked: number; lastSeq: number; fromSeq?: number };
      assert.ok(first.ok && first.checked >= 1 && first.fromSeq === undefined);
      assert.equal(
        (await runCli(["user", "add", "ida", "--role", "viewer", "--config", box.configPath], {}, PASSWORD)).code,
        0,
      );
      const since = await runCli(["audit", "verify", "--from-checkpoint", "--config", box.configPath, "--json"]);
      assert.equal(since.code, 0, since.stdout + since.stderr);
      const next = JSON.parse(since.stdout) as { ok: boolean; checked: number; lastSeq: number; fromSeq?: number };
      assert.equal(next.fromSeq, first.lastSeq);
      assert.equal(next.lastSeq, first.lastSeq + next.checked);
      assert.ok(next.checked >= 1 && next.checked < next.lastSeq);
      assert.match((await runCli(["audit", "verify", "--help"])).stdout, /--from-checkpoint/);
    } finally {
      await box.cleanup();
    }
  });
});
