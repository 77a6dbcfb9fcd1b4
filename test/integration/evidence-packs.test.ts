// Evidence packs through the real operator API: an incident raised and decided on the real store
// and audit chain, exported as an operator (not as a viewer), verified against the gateway's key,
// then tampered with in each way a pack can be: every change is named, file by file.
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { checkpointPublicJwk, generateCheckpointKeyPem } from "../../src/audit/checkpoint.js";
import type { AuditEntry } from "../../src/contract/audit.js";
import type { Incident } from "../../src/contract/incident.js";
import { registerEvidenceRoutes } from "../../src/http/routes/evidence.js";
import { evidenceAdminOps } from "../../src/incidents/evidence/evidence-admin-ops.js";
import { EvidenceExporter } from "../../src/incidents/evidence/exporter.js";
import {
  type EvidenceManifest,
  manifestBytes,
  MANIFEST_FILE,
  sha256Hex,
  SIGNATURE_FILE,
} from "../../src/incidents/evidence/manifest.js";
import { signManifest } from "../../src/incidents/evidence/signature.js";
import { serviceEvidenceSource, storeEvidenceSource } from "../../src/incidents/evidence/source.js";
import { verifyEvidenceFiles, verifyEvidencePack } from "../../src/incidents/evidence/verify.js";
import { unzipFiles, zipFiles } from "../../src/incidents/evidence/zip.js";
import { type AuthStack, openAuthStack, testSecrets } from "../helpers/auth-stack.js";
import { addUser, bearer, loginOk } from "../helpers/auth-client.js";
import { TEST_IDENTITY } from "../helpers/store-stack.js";

let dir: string;
let stack: AuthStack;
const pem = generateCheckpointKeyPem();
const jwk = checkpointPublicJwk(pem);
const tokens: Record<string, string> = {};
let incident: Incident;
let zip: Uint8Array;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "vigil-evidence-"));
  // The route is registered while the stack is built; its services are reached once it exists.
  const exporter = new EvidenceExporter(
    serviceEvidenceSource({ get: (id) => stack.incidents.get(id) }, { list: (q) => stack.audit.list(q) }),
    { record: (input) => stack.audit.record(input) },
    pem,
    TEST_IDENTITY,
  );
  stack = await openAuthStack(dir, {
    secrets: { ...testSecrets(), audit_checkpoint_key: pem },
    before: [(app) => registerEvidenceRoutes(app, { evidence: exporter })],
  });
  for (const [name, r] of [
    ["vic", "viewer"],
    ["otto", "operator"],
  ] as const) {
    await addUser(stack.auth, name, r);
    tokens[name] = (await loginOk(stack.app, name)).access_token;
  }
  const raised = await stack.incidents.create({
    cameraId: "lobby",
    rule: "face_present",
    objects: [{ label: "face", score: 0.91, box: { x1: 0.1, y1: 0.1, x2: 0.2, y2: 0.2 } }],
    startedAt: Date.now(),
    lastSeenAt: Date.now(),
    summary: "Face seen on lobby",
  });
  await stack.incidents.decide(raised.id, { action: "escalate", actor: "otto", note: "after hours | door open" });
  incident = await stack.incidents.decide(raised.id, { action: "request_dispatch", actor: "otto", note: "intruder" });
});
after(async () => {
  await stack.close();
  await rm(dir, { recursive: true, force: true });
});

const exportAs = (who: string, id = incident.id) =>
  stack.app.inject({ method: "POST", url: `/v1/incidents/${id}/export`, headers: bearer(tokens[who] ?? "") });

function rezip(change: (files: Map<string, Uint8Array>) => void): Uint8Array {
  const files = unzipFiles(zip);
  change(files);
  return zipFiles(files, new Date());
}

void describe("evidence packs", () => {
  void it("an operator exports a signed ZIP that verifies; a viewer gets 403; the export is audited first", async () => {
    assert.equal((await exportAs("vic")).statusCode, 403);
    assert.equal((await exportAs("otto", "00000000-0000-4000-8000-000000000000")).statusCode, 404);
    const r = await exportAs("otto");
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.headers["content-type"], "application/zip");
    assert.equal(r.headers["content-disposition"], `attachment; filename="vigil-evidence-${incident.id}-v3.zip"`);
    assert.equal(r.headers["cache-control"], "no-store");
    zip = r.rawPayload;
    const files = unzipFiles(zip);
    assert.deepEqual([...files.keys()].sort(), [
      "audit.json",
      "events/001-created.json",
      "events/002-escalate.json",
      "events/003-request_dispatch.json",
      "incident.json",
      "manifest.json",
      "manifest.jws",
      "report.html",
      "report.md",
    ]);
    assert.deepEqual(JSON.parse(Buffer.from(files.get("incident.json") ?? []).toString()), incident);
    const manifest = JSON.parse(Buffer.from(files.get(MANIFEST_FILE) ?? []).toString()) as EvidenceManifest;
    assert.deepEqual(manifest.incident, { id: incident.id, version: 3 });
    assert.equal(manifest.created_by, "otto");
    assert.equal(manifest.site, "hq");
    assert.equal(manifest.files.length, 7);
    const [header] = Buffer.from(files.get(SIGNATURE_FILE) ?? [])
      .toString()
      .split(".");
    assert.deepEqual(JSON.parse(Buffer.from(header ?? "", "base64url").toString()), {
      alg: "EdDSA",
      typ: "vigil-evidence",
      kid: jwk.kid,
    });
    const audited = JSON.parse(Buffer.from(files.get("audit.json") ?? []).toString()) as AuditEntry[];
    assert.deepEqual(
      audited.map((e) => e.action),
      ["incident.decision", "incident.decision"],
    );
    assert.ok(audited.every((e) => typeof e.mac === "string" && e.seq > 0));
    const report = Buffer.from(files.get("report.md") ?? []).toString();
    assert.match(report, /Camera: lobby/);
    assert.match(
      report,
      new RegExp(
        `\\| otto \\| escalate \\| open → escalated \\| {2}\\| after hours \\\\\\| door open \\| ${audited[0]?.seq} \\|`,
      ),
    );

    assert.deepEqual(await verifyEvidencePack(zip, jwk), {
      ok: true,
      incident: { id: incident.id, version: 3 },
      files: 7,
      problems: [],
    });
    const trail = (await stack.auditEntries()).filter((e) => e.action === "incident.exported");
    assert.equal(trail.length, 1);
    assert.equal(trail[0]?.target, `incident:${incident.id}`);
    assert.equal(trail[0]?.actor, "otto");
    assert.equal(
      (trail[0]?.details as { manifest_sha256: string }).manifest_sha256,
      sha256Hex(files.get(MANIFEST_FILE) ?? new Uint8Array()),
    );
  });

  void it("names each tampering precisely", async () => {
    const flipped = rezip((f) => {
      const bytes = Buffer.from(f.get("incident.json") ?? []);
      bytes[10] = (bytes[10] ?? 0) ^ 1;
      f.set("incident.json", bytes);
    });
    assert.deepEqual((await verifyEvidencePack(flipped, jwk)).problems, [
      { file: "incident.json", problem: "hash_mismatch" },
    ]);
    const grown = rezip((f) =>
      f.set("report.md", Buffer.concat([Buffer.from(f.get("report.md") ?? []), Buffer.from("\nall fine\n")])),
    );
    assert.deepEqual((await verifyEvidencePack(grown, jwk)).problems, [
      { file: "report.md", problem: "size_mismatch" },
    ]);
    const removed = rezip((f) => f.delete("events/002-escalate.json"));
    assert.deepEqual((await verifyEvidencePack(removed, jwk)).problems, [
      { file: "events/002-escalate.json", problem: "missing" },
    ]);
    const added = rezip((f) => f.set("snapshots/planted.jpg", Buffer.from("not ours")));
    assert.deepEqual((await verifyEvidencePack(added, jwk)).problems, [
      { file: "snapshots/planted.jpg", problem: "extra" },
    ]);

    // The manifest rewritten to cover a changed file, the old signature kept: the signed one wins.
    const files = unzipFiles(zip);
    const manifest = JSON.parse(Buffer.from(files.get(MANIFEST_FILE) ?? []).toString()) as EvidenceManifest;
    const forged = Buffer.from("{}\n");
    const rewritten = {
      ...manifest,
      files: manifest.files.map((e) =>
        e.path === "incident.json" ? { ...e, sha256: sha256Hex(forged), size: forged.length } : e,
      ),
    };
    const relisted = rezip((f) => {
      f.set("incident.json", forged);
      f.set(MANIFEST_FILE, manifestBytes(rewritten));
    });
    assert.deepEqual((await verifyEvidencePack(relisted, jwk)).problems, [
      { file: MANIFEST_FILE, problem: "manifest_mismatch" },
      { file: "incident.json", problem: "size_mismatch" },
    ]);
    // ... and re-signed with some other key: the signature fails; files are checked against the stored manifest.
    const otherPem = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const map = unzipFiles(zip);
    map.set("incident.json", forged);
    map.set(MANIFEST_FILE, manifestBytes(rewritten));
    map.set(SIGNATURE_FILE, Buffer.from(await signManifest(otherPem, manifestBytes(rewritten))));
    assert.deepEqual((await verifyEvidenceFiles(map, jwk)).problems, [
      { file: SIGNATURE_FILE, problem: "bad_signature" },
    ]);
    const unsigned = rezip((f) => f.delete(SIGNATURE_FILE));
    assert.deepEqual((await verifyEvidencePack(unsigned, jwk)).problems, [
      { file: SIGNATURE_FILE, problem: "missing" },
    ]);
    // The right pack against another gateway's key.
    assert.deepEqual((await verifyEvidencePack(zip, checkpointPublicJwk(otherPem))).problems, [
      { file: SIGNATURE_FILE, problem: "bad_signature" },
    ]);
  });

  void it("the admin op writes a new file and never replaces one", async () => {
    const ops = evidenceAdminOps(
      new EvidenceExporter(storeEvidenceSource(stack.store.db), stack.audit, pem, TEST_IDENTITY),
    );
    const op = ops["evidence.export"];
    assert.ok(op);
    const path = join(dir, "pack.zip");
    const written = (await op.run({ id: incident.id, path }, { actor: "cli:root" })) as {
      manifest_sha256: string;
      files: number;
    };
    assert.equal(written.files, 7);
    const result = await verifyEvidencePack(await readFile(path), jwk);
    assert.equal(result.ok, true, JSON.stringify(result.problems));
    const exported = (await stack.auditEntries()).filter((e) => e.action === "incident.exported");
    assert.equal(exported.length, 2);
    await assert.rejects(op.run({ id: incident.id, path }, { actor: "cli:root" }), { code: "VIGIL_E_ALREADY_EXISTS" });
    await assert.rejects(
      op.run({ id: "00000000-0000-4000-8000-000000000000", path: join(dir, "none.zip") }, { actor: "cli:root" }),
      { code: "VIGIL_E_NOT_FOUND" },
    );
    assert.equal((await stack.auditEntries()).filter((e) => e.action === "incident.exported").length, 2);
    await assert.rejects(readFile(join(dir, "none.zip")), { code: "ENOENT" });
  });
});
