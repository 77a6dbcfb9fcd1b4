// `vigil backup` and `vigil restore` as an installer runs them: the built CLI against boxes
// provisioned by the real `vigil init`, the backup taken over the running daemon's admin socket
// while cameras push events and an admin creates keys, then restored onto fresh boxes with the same
// identity and checked with `vigil audit verify`, the store itself, and the restored daemon's API.
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import type { AuditEntry } from "../../src/contract/audit.js";
import type { Envelope } from "../../src/contract/envelope.js";
import { createLogger } from "../../src/core/logger.js";
import { Database } from "../../src/store/database.js";
import { type DaemonHandle, provisionBox, runCli, type TestBox } from "../helpers/daemon.js";
import { freePort } from "../helpers/free-port.js";

const PASSWORD = "Correct-Horse-9-battery";
const PASSPHRASE = "a backup passphrase for the tests";
const SITE = { site: "hq", gateway: "gw-01" };

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Header {
  format: string;
  version: number;
  site: string;
  gateway: string;
  counts: { entries: number; sublevels: Record<string, number> };
  audit_head: { seq: number; mac: string | null };
  outbox_depth: Record<string, number>;
  secrets: unknown;
}

function show(ran: Ran): string {
  return `exit ${ran.code}\nstdout: ${ran.stdout}\nstderr: ${ran.stderr}`;
}

function errorCode(ran: Ran): string {
  return (JSON.parse(ran.stdout) as { error: { code: string } }).error.code;
}

/** The backup file read without Vigil's reader: gunzip, one JSON document per line. */
async function readBackupFile(path: string): Promise<{ header: Header; entries: Map<string, unknown> }> {
  const lines = gunzipSync(await readFile(path))
    .toString("utf8")
    .split("\n")
    .filter((l) => l.length > 0);
  const header = JSON.parse(lines[0] ?? "") as Header;
  const entries = new Map<string, unknown>();
  for (const line of lines.slice(1)) {
    const doc = JSON.parse(line) as [string, unknown] | { vigil_backup_mac: string };
    // The last line is the MAC trailer (format 2).
    if (!Array.isArray(doc)) continue;
    const [key, value] = doc;
    entries.set(key, value);
  }
  return { header, entries };
}

function boxConfig(port: number): Record<string, unknown> {
  return {
    ...SITE,
    log: { level: "info", stats_interval_s: 0 },
    http: { listen: `127.0.0.1:${port}` },
    // No brokers: nothing leaves the outbox, so every message written is still there to count.
    cameras: [{ id: "lobby", url: "rtsp://127.0.0.1:9/none", enabled: false }],
    auth: {
      argon2: { memory_kib: 19_456, time_cost: 2 },
      rate_limit: { per_ip_per_minute: 100_000, per_user_per_minute: 100_000 },
    },
  };
}

async function newBox(): Promise<{ box: TestBox; base: string }> {
  const port = await freePort();
  return { box: await provisionBox(boxConfig(port)), base: `http://127.0.0.1:${port}` };
}

async function startAndWait(box: TestBox): Promise<DaemonHandle> {
  const daemon = box.start();
  await daemon.waitForLog((l) => l.msg === "started", 30_000);
  return daemon;
}

async function stopDaemon(daemon: DaemonHandle): Promise<void> {
  daemon.signal("SIGTERM");
  assert.equal(await daemon.exited, 0, "the daemon stops cleanly");
}

async function pushEvent(base: string, key: string): Promise<{ status: number; seq?: number }> {
  const res = await fetch(`${base}/v1/ingest/lobby/events`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `ApiKey ${key}` },
    body: JSON.stringify({ type: "motion", details: { zone: "door" } }),
  });
  const body = (await res.json()) as { seq?: number };
  return { status: res.status, ...(body.seq === undefined ? {} : { seq: body.seq }) };
}

async function secretFiles(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const name of (await readdir(dir)).sort()) files.set(name, await readFile(join(dir, name)));
  return files;
}

/** Reads a stopped box's store directly: the audit chain and the outbox, by stream. */
async function readStore(
  box: TestBox,
): Promise<{ audit: AuditEntry[]; outbox: Map<string, Envelope[]>; keys: number }> {
  const database = new Database(join(box.dir, "data"), createLogger({ level: "silent" }));
  await database.start();
  try {
    const audit: AuditEntry[] = [];
    for await (const [, value] of database.sublevels.audit.iterator()) audit.push(value as AuditEntry);
    const outbox = new Map<string, Envelope[]>();
    for await (const [, value] of database.sublevels.outbox.iterator()) {
      const env = value as Envelope;
      outbox.set(env.stream, [...(outbox.get(env.stream) ?? []), env]);
    }
    let keys = 0;
    for await (const _ of database.level.keys()) keys++;
    return { audit, outbox, keys };
  } finally {
    await database.stop();
  }
}

void describe("vigil backup and restore: a snapshot under load, restored on fresh boxes", () => {
  let work: string;
  let a: { box: TestBox; base: string };
  let daemonA: DaemonHandle | undefined;
  let apiKey = "";
  const boxes: TestBox[] = [];
  const vigil = (box: TestBox, args: string[], stdin?: string): Promise<Ran> =>
    runCli([...args, "--config", box.configPath], { VIGIL_CONFIG: "" }, stdin);
  const plainPath = (): string => join(work, "plain.vbk");
  const sealedPath = (): string => join(work, "sealed.vbk");

  before(async () => {
    work = await mkdtemp(join(tmpdir(), "vigil-backups-"));
    a = await newBox();
    boxes.push(a.box);
    // Offline, before the daemon: the admin and a key for the push camera (limits out of the way).
    const added = await vigil(a.box, ["user", "add", "admin", "--role", "admin"], `${PASSWORD}\n`);
    assert.equal(added.code, 0, show(added));
    const key = await vigil(a.box, [
      "key",
      "create",
      "--camera",
      "lobby",
      "--per-minute",
      "100000",
      "--per-hour",
      "6000000",
    ]);
    assert.equal(key.code, 0, show(key));
    apiKey = key.stdout.trim();
    daemonA = await startAndWait(a.box);
  });
  after(async () => {
    for (const box of boxes) await box.cleanup();
    if (work) await rm(work, { recursive: true, force: true });
  });

  void it("every verb has --help; a missing FILE is a usage error (exit 2)", async () => {
    for (const verb of ["backup", "restore"]) {
      const help = await runCli([verb, "--help"]);
      assert.equal(help.code, 0, show(help));
      assert.match(help.stdout, new RegExp(`^Usage: vigil ${verb} \\[options\\] <file>`));
      const usage = await runCli([verb]);
      assert.equal(usage.code, 2, show(usage));
    }
  });

  void it("backs up a running daemon over its admin socket while events and admin changes keep coming, consistently across sublevels", async (t) => {
    // Enough data that reading the snapshot takes a while, so writes land while it is read.
    const acked: number[] = [];
    for (let round = 0; round < 100; round++) {
      const results = await Promise.all(Array.from({ length: 20 }, () => pushEvent(a.base, apiKey)));
      for (const r of results) {
        assert.equal(r.status, 202);
        acked.push(r.seq ?? -1);
      }
    }
    let writing = true;
    const eventLoops = Array.from({ length: 4 }, async () => {
      while (writing) {
        const r = await pushEvent(a.base, apiKey);
        assert.equal(r.status, 202);
        acked.push(r.seq ?? -1);
      }
    });
    let keysCreated = 0;
    const adminLoop = (async () => {
      while (writing) {
        const ran = await vigil(a.box, ["key", "create", "--camera", "lobby", "--label", "during backup"]);
        assert.equal(ran.code, 0, show(ran));
        keysCreated++;
      }
    })();

    const ackedBefore = [...acked];
    const plain = await vigil(a.box, ["backup", plainPath(), "--json"]);
    const ackedDuringPlain = acked.length - ackedBefore.length;
    const sealed = await vigil(a.box, ["backup", sealedPath(), "--with-secrets", "--json"], `${PASSPHRASE}\n`);
    writing = false;
    await Promise.all([...eventLoops, adminLoop]);
    assert.equal(plain.code, 0, show(plain));
    assert.equal(sealed.code, 0, show(sealed));
    assert.ok(ackedDuringPlain > 0, "events were acknowledged while the backup ran");
    assert.ok(keysCreated > 0, "admin changes ran beside the backups");
    t.diagnostic(
      `${ackedDuringPlain} events acknowledged while the plain backup ran; ${keysCreated} keys created during both backups`,
    );

    const result = JSON.parse(plain.stdout) as {
      ok: boolean;
      path: string;
      bytes: number;
      header: Header & { with_secrets: boolean };
    };
    assert.equal(result.ok, true);
    assert.equal(result.path, plainPath());
    assert.equal(result.header.with_secrets, false);
    assert.equal((JSON.parse(sealed.stdout) as { header: { with_secrets: boolean } }).header.with_secrets, true);
    for (const path of [plainPath(), sealedPath()])
      assert.equal((await stat(path)).mode & 0o777, 0o600, `${path} is readable by its owner only`);
    assert.equal((await stat(plainPath())).size, result.bytes);
    assert.deepEqual(
      (await readdir(work)).sort(),
      ["plain.vbk", "sealed.vbk"],
      "no temporary files left beside the backups",
    );

    const { header, entries } = await readBackupFile(plainPath());
    assert.deepEqual(
      { format: header.format, version: header.version, site: header.site, gateway: header.gateway },
      { format: "vigil-store-backup", version: 2, ...SITE },
    );
    assert.equal(header.secrets, null, "no secrets without --with-secrets");
    assert.equal(entries.size, header.counts.entries);
    t.diagnostic(`plain backup: ${header.counts.entries} entries, ${result.bytes} bytes`);
    assert.deepEqual(result.header.counts, header.counts);
    // Nothing acknowledged before the backup began is missing from it.
    for (const seq of ackedBefore)
      assert.ok(
        entries.has(`!outbox!alerts!${String(seq).padStart(16, "0")}`),
        `acknowledged event seq ${seq} is in the backup`,
      );

    // One snapshot: each stream's seq counter (meta), its messages (outbox) and the audit chain
    // agree exactly, although all three changed while the file was written.
    const keysOf = (prefix: string): string[] => [...entries.keys()].filter((k) => k.startsWith(prefix));
    const alerts = keysOf("!outbox!alerts!");
    assert.equal(
      entries.get("!meta!seq!alerts"),
      alerts.length,
      "alerts seq counter = alerts in the outbox (none sent, none dropped)",
    );
    assert.equal(header.outbox_depth.alerts, alerts.length);
    const auditKeys = keysOf("!audit!");
    assert.equal(header.audit_head.seq, auditKeys.length);
    assert.equal(entries.get("!meta!seq!audit"), auditKeys.length, "audit seq counter = audit entries");
    const auditEnvelopes = keysOf("!outbox!audit!").map((k) => (entries.get(k) as Envelope<AuditEntry>).data.seq);
    assert.deepEqual(
      auditEnvelopes,
      auditKeys.map((_, i) => i + 1),
      "every audit entry has its envelope, and no envelope is ahead of its entry",
    );
    const lastAudit = entries.get(auditKeys.at(-1) ?? "") as AuditEntry;
    assert.equal(lastAudit.mac, header.audit_head.mac);
    const keyEntries = keysOf("!api_keys!").length;
    const keyCreatedAudits = auditKeys.filter((k) => (entries.get(k) as AuditEntry).action === "key.created").length;
    assert.equal(keyEntries, keyCreatedAudits, "every stored key has its audit entry, and the other way round");

    // Never over an existing file; the daemon cannot write relative to the caller, so the CLI resolves.
    const again = await vigil(a.box, ["backup", plainPath(), "--json"]);
    assert.equal(again.code, 1, show(again));
    assert.equal(errorCode(again), "VIGIL_E_ALREADY_EXISTS");
    assert.equal((await stat(plainPath())).size, result.bytes);
    const nowhere = await vigil(a.box, ["backup", join(work, "no-such-dir", "x.vbk"), "--json"]);
    assert.equal(nowhere.code, 1, show(nowhere));
    assert.equal(errorCode(nowhere), "VIGIL_E_VALIDATION");
    const shortPassphrase = await vigil(
      a.box,
      ["backup", join(work, "short.vbk"), "--with-secrets", "--json"],
      "short\n",
    );
    assert.equal(shortPassphrase.code, 1, show(shortPassphrase));
    assert.equal(errorCode(shortPassphrase), "VIGIL_E_VALIDATION");
    assert.deepEqual((await readdir(work)).sort(), ["plain.vbk", "sealed.vbk"]);
  });

  void it("restore refuses while the daemon answers on the admin socket", async () => {
    const ran = await vigil(a.box, ["restore", plainPath(), "--json"]);
    assert.equal(ran.code, 1, show(ran));
    assert.equal(errorCode(ran), "VIGIL_E_STORE_LOCKED");
    assert.match(ran.stdout, /stop it/);
    if (daemonA) await stopDaemon(daemonA);
    daemonA = undefined;
  });

  void it("restores --with-secrets onto a fresh box: secrets byte for byte, audit chain verifies, the daemon resumes the outbox", async () => {
    const { header } = await readBackupFile(sealedPath());
    const b = await newBox();
    boxes.push(b.box);
    const secretsB = join(b.box.dir, "secrets");
    // The fresh box's own `vigil init` secrets are moved away: the old box's come from the backup.
    await rm(secretsB, { recursive: true });

    const wrong = await vigil(b.box, ["restore", sealedPath(), "--json"], "not the passphrase\n");
    assert.equal(wrong.code, 1, show(wrong));
    assert.equal(errorCode(wrong), "VIGIL_E_UNAUTHENTICATED");
    assert.deepEqual(await readdir(join(b.box.dir, "data")), [], "a wrong passphrase writes no store");
    await assert.rejects(stat(secretsB), "and no secrets");

    const ran = await vigil(b.box, ["restore", sealedPath(), "--json"], `${PASSPHRASE}\n`);
    assert.equal(ran.code, 0, show(ran));
    const restored = JSON.parse(ran.stdout) as {
      entries: number;
      audit_head_seq: number;
      restored_entry_seq: number;
      secrets: { written: string[] };
      warnings: string[];
    };
    assert.equal(restored.entries, header.counts.entries);
    assert.equal(restored.audit_head_seq, header.audit_head.seq);
    assert.equal(restored.restored_entry_seq, header.audit_head.seq + 1);
    assert.deepEqual(restored.warnings, []);
    assert.deepEqual(
      await secretFiles(secretsB),
      await secretFiles(join(a.box.dir, "secrets")),
      "secrets restored byte for byte",
    );
    for (const name of await readdir(secretsB)) assert.equal((await stat(join(secretsB, name))).mode & 0o777, 0o600);

    const verify = await vigil(b.box, ["audit", "verify", "--json"]);
    assert.equal(verify.code, 0, show(verify));
    const verified = JSON.parse(verify.stdout) as { ok: boolean; lastSeq: number };
    assert.equal(verified.ok, true);
    // The backup's head, then one entry that records the restore itself (central learns of it).
    assert.equal(verified.lastSeq, header.audit_head.seq + 1);
    const store = await readStore(b.box);
    const last = store.audit.at(-1);
    assert.equal(last?.action, "store.restored");
    assert.equal(last?.details?.backup_audit_head_seq, header.audit_head.seq);
    assert.ok(
      store.audit.some(
        (e) => e.action === "store.backed_up" && e.target === `file:${plainPath()}` && e.actor.startsWith("cli:"),
      ),
      "the earlier backup, taken through the daemon, is in the trail",
    );
    assert.equal(store.outbox.get("alerts")?.length, header.outbox_depth.alerts);
    assert.equal(store.outbox.get("audit")?.length, (header.outbox_depth.audit ?? 0) + 1);
    assert.equal(store.outbox.get("incidents")?.length ?? 0, header.outbox_depth.incidents);

    // Started again, the box carries on: operators log in, the outbox waits with its depth, and a
    // camera's next event (with its restored key) continues the stream's seq.
    const daemonB = await startAndWait(b.box);
    const login = await fetch(`${b.base}/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: PASSWORD }),
    });
    assert.equal(login.status, 200);
    const token = ((await login.json()) as { access_token: string }).access_token;
    const health = (await (
      await fetch(`${b.base}/v1/health`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as {
      outbox: { depth: Record<string, number> };
      audit_head: { seq: number };
    };
    assert.equal(health.outbox.depth.alerts, header.outbox_depth.alerts);
    assert.ok(health.audit_head.seq > header.audit_head.seq);
    const next = await pushEvent(b.base, apiKey);
    assert.equal(next.status, 202);
    assert.equal(
      next.seq,
      (header.outbox_depth.alerts ?? 0) + 1,
      "the alerts stream continues where the backup left it",
    );
    await stopDaemon(daemonB);

    const twice = await vigil(b.box, ["restore", sealedPath(), "--no-secrets", "--json"]);
    assert.equal(twice.code, 1, show(twice));
    assert.equal(errorCode(twice), "VIGIL_E_CONFLICT", "a store that is not empty is not restored over");
  });

  void it("a plain backup restores only where the old box's audit key is, and never over existing secrets", async () => {
    const { header } = await readBackupFile(plainPath());
    const c = await newBox();
    boxes.push(c.box);
    const secretsC = join(c.box.dir, "secrets");
    const before = await secretFiles(secretsC);

    const mismatch = await vigil(c.box, ["restore", plainPath(), "--json"]);
    assert.equal(mismatch.code, 1, show(mismatch));
    assert.equal(errorCode(mismatch), "VIGIL_E_CONFLICT");
    assert.match(mismatch.stdout, /audit_hmac_key/);
    const sealedOverSecrets = await vigil(c.box, ["restore", sealedPath(), "--json"], `${PASSPHRASE}\n`);
    assert.equal(sealedOverSecrets.code, 1, show(sealedOverSecrets));
    assert.equal(errorCode(sealedOverSecrets), "VIGIL_E_ALREADY_EXISTS");
    assert.deepEqual(await secretFiles(secretsC), before, "the box's own secrets are untouched");
    assert.deepEqual(await readdir(join(c.box.dir, "data")), [], "nothing was written to the store");

    // The installer kept the old box's secrets: copied in, the plain backup restores and verifies.
    for (const [name, bytes] of await secretFiles(join(a.box.dir, "secrets")))
      await writeFile(join(secretsC, name), bytes, { mode: 0o600 });
    const ran = await vigil(c.box, ["restore", plainPath(), "--json"]);
    assert.equal(ran.code, 0, show(ran));
    assert.equal((JSON.parse(ran.stdout) as { secrets: unknown }).secrets, null);
    const verify = await vigil(c.box, ["audit", "verify", "--json"]);
    assert.equal(verify.code, 0, show(verify));
    assert.equal((JSON.parse(verify.stdout) as { lastSeq: number }).lastSeq, header.audit_head.seq + 1);
    const store = await readStore(c.box);
    assert.equal(store.outbox.get("alerts")?.length, header.outbox_depth.alerts);
    // Every key of the backup came back, plus the restore's own audit entry (with its entry in the
    // audit-by-target index) and envelope (counters overwrite keys already there), plus the point
    // the verify above walked to, kept in meta for `audit verify --from-checkpoint`.
    assert.equal(store.keys, header.counts.entries + 4);
  });

  void it("a damaged or foreign file is refused before anything is written", async () => {
    const d = await newBox();
    boxes.push(d.box);
    const bytes = await readFile(plainPath());
    const truncated = join(work, "truncated.vbk");
    await writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const flipped = join(work, "flipped.vbk");
    const copy = Buffer.from(bytes);
    copy[Math.floor(copy.length / 2)] = (copy[Math.floor(copy.length / 2)] ?? 0) ^ 0xff;
    await writeFile(flipped, copy);
    for (const file of [truncated, flipped, join(work, "missing.vbk")]) {
      const ran = await vigil(d.box, ["restore", file, "--force", "--json"]);
      assert.equal(ran.code, 1, `${file}: ${show(ran)}`);
      assert.match(errorCode(ran), /VIGIL_E_(VALIDATION|NOT_FOUND)/);
    }
    assert.deepEqual(await readdir(join(d.box.dir, "data")), []);

    const other = await provisionBox({ ...boxConfig(await freePort()), gateway: "gw-02" });
    boxes.push(other);
    const foreign = await runCli(["restore", plainPath(), "--json", "--config", other.configPath], {
      VIGIL_CONFIG: "",
    });
    assert.equal(foreign.code, 1, show(foreign));
    assert.equal(errorCode(foreign), "VIGIL_E_CONFLICT");
    assert.match(foreign.stdout, /hq\/gw-01/);
  });
});
