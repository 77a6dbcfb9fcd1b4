// Signed commands end to end below MQTT: real verifier and keys, real LevelDB with group commit, a
// recording audit double. Each command runs at most once per id, and every one is answered and audited.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { CompactSign, type CryptoKey, exportSPKI, generateKeyPair } from "jose";
import type { AuditEntry, AuditInput, AuditRecorder } from "../../src/contract/audit.js";
import type { CommandResult } from "../../src/contract/command.js";
import { ErrorCodes, VigilError } from "../../src/core/errors.js";
import { createLogger } from "../../src/core/logger.js";
import { Database } from "../../src/store/database.js";
import { GroupCommit } from "../../src/store/group-commit.js";
import { CommandDispatcher, type CommandHandler } from "../../src/sync/commands/command-dispatcher.js";
import { CommandStore } from "../../src/sync/commands/command-store.js";
import { COMMANDS_DEFAULTS, CommandVerifier } from "../../src/sync/commands/command-verifier.js";

const log = createLogger({
  level: "debug",
  destination: new Writable({
    write(_chunk, _enc, cb) {
      cb();
    },
  }),
});
const BASE = "vigil/hq/gw-01";
const topic = (name: string): string => `${BASE}/cmd/${name}`;
const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");

class RecordingAudit implements AuditRecorder {
  readonly inputs: AuditInput[] = [];
  failing = false;
  async record(input: AuditInput): Promise<AuditEntry> {
    if (this.failing) throw new Error("audit store unavailable");
    this.inputs.push(input);
    return { ...input, seq: this.inputs.length, ts: new Date().toISOString(), prev_mac: "", mac: "" };
  }
}

interface Stack {
  db: Database;
  store: CommandStore;
  dispatcher: CommandDispatcher;
  audit: RecordingAudit;
  close(): Promise<void>;
}

void describe("CommandDispatcher with CommandStore on LevelDB", () => {
  let root: string;
  let keyFile: string;
  let n = 0;
  let central: Awaited<ReturnType<typeof generateKeyPair>>;
  let intruder: Awaited<ReturnType<typeof generateKeyPair>>;
  const freshDir = (): string => join(root, `case-${n++}`);

  async function openStack(
    dataDir: string,
    handlers: Record<string, CommandHandler>,
    maxInFlight?: number,
    refusalWindowMs = 0,
  ): Promise<Stack> {
    const db = new Database(dataDir, log, { attempts: 3, delayMs: 20 });
    await db.start();
    const commits = new GroupCommit(db);
    const store = new CommandStore(db, commits, { pruneIntervalMs: 0 });
    const verifier = new CommandVerifier({ keyFile, ...COMMANDS_DEFAULTS, audience: "hq/gw-01" });
    for (const c of [commits, store, verifier]) await c.start();
    const audit = new RecordingAudit();
    const dispatcher = new CommandDispatcher({
      base: BASE,
      verifier,
      store,
      audit,
      log,
      refusalWindowMs,
      ...(maxInFlight === undefined ? {} : { maxInFlight }),
    });
    for (const [name, handler] of Object.entries(handlers)) dispatcher.register(name, handler);
    await dispatcher.start();
    return {
      db,
      store,
      dispatcher,
      audit,
      async close() {
        await dispatcher.stop();
        await store.stop();
        await commits.stop();
        await db.stop();
      },
    };
  }

  async function token(
    claims: Record<string, unknown>,
    key: CryptoKey | Uint8Array = central.privateKey,
    alg = "EdDSA",
  ): Promise<Buffer> {
    const now = Math.floor(Date.now() / 1000);
    const payload = { id: "cmd-1", name: "ping", aud: "hq/gw-01", iat: now, exp: now + 60, args: {}, ...claims };
    return Buffer.from(
      await new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader({ alg }).sign(key),
    );
  }

  /** A handler that counts its runs and echoes what it was given. */
  function counting(): { handler: CommandHandler; calls: { args: unknown; ctx: unknown }[] } {
    const calls: { args: unknown; ctx: unknown }[] = [];
    return { calls, handler: async (args, ctx) => (calls.push({ args, ctx }), { echoed: args, run: calls.length }) };
  }

  async function handled(s: Stack, t: string, payload: Buffer): Promise<CommandResult> {
    const out = await s.dispatcher.handle(t, payload);
    assert.ok(out, `no result for ${t}`);
    return out.result;
  }

  before(async () => {
    root = await mkdtemp(join(tmpdir(), "vigil-commands-"));
    central = await generateKeyPair("EdDSA");
    intruder = await generateKeyPair("EdDSA");
    keyFile = join(root, "central.pem");
    await writeFile(keyFile, await exportSPKI(central.publicKey));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  void it("runs a valid command once and audits it", async (t) => {
    const ping = counting();
    const s = await openStack(freshDir(), { ping: ping.handler });
    t.after(() => s.close());
    const out = await s.dispatcher.handle(topic("ping"), await token({ id: "a-1", args: { n: 1 } }));
    assert.deepEqual(out, { name: "ping", result: { id: "a-1", ok: true, data: { echoed: { n: 1 }, run: 1 } } });
    assert.deepEqual(ping.calls, [{ args: { n: 1 }, ctx: { id: "a-1", name: "ping" } }]);
    assert.deepEqual(s.audit.inputs, [
      { actor: "central", action: "command.received", target: "command:a-1", result: "ok", details: { name: "ping" } },
    ]);
  });

  void it("answers a repeated id with the stored result without running it again, also after a restart", async (t) => {
    const dir = freshDir();
    const ping = counting();
    const payload = await token({ id: "a-2", args: { n: 2 } });
    const first = await openStack(dir, { ping: ping.handler });
    const r1 = await handled(first, topic("ping"), payload);
    const r2 = await handled(first, topic("ping"), Buffer.concat([payload, Buffer.from("\n")]));
    assert.deepEqual(r2, r1);
    assert.equal(ping.calls.length, 1);
    assert.deepEqual(first.audit.inputs[1], {
      actor: "central",
      action: "command.received",
      target: "command:a-2",
      result: "ok",
      details: { name: "ping", replay: true },
    });
    await first.close();

    const again = counting();
    const second = await openStack(dir, { ping: again.handler });
    t.after(() => second.close());
    assert.deepEqual(await handled(second, topic("ping"), payload), r1);
    assert.equal(again.calls.length, 0);
    assert.equal(second.audit.inputs[0]?.details?.replay, true);
  });

  void it("a duplicate delivered while the first is still running waits for it instead of running twice", async (t) => {
    let release = (): void => {};
    const gate = new Promise<void>((r) => (release = r));
    let runs = 0;
    const s = await openStack(freshDir(), {
      slow: async () => (runs++, await gate, { runs }),
      ping: counting().handler,
    });
    t.after(() => s.close());
    const payload = await token({ id: "dup", name: "slow" });
    const both = Promise.all([handled(s, topic("slow"), payload), handled(s, topic("slow"), payload)]);
    setTimeout(release, 20);
    // The same id under another verb, while the first still runs: refused, not merged.
    const clash = await handled(s, topic("ping"), await token({ id: "dup", name: "ping" }));
    assert.equal(clash.error?.code, ErrorCodes.COMMAND_ID_CONFLICT);
    const [a, b] = await both;
    assert.deepEqual(a, { id: "dup", ok: true, data: { runs: 1 } });
    assert.deepEqual(b, a);
    assert.equal(runs, 1);
    assert.deepEqual(s.audit.inputs.map((i) => i.details?.replay ?? false).sort(), [false, false, true]);
  });

  void it("refuses every bad command with its code, runs nothing, stores nothing and audits it as denied", async (t) => {
    const ping = counting();
    const s = await openStack(freshDir(), { ping: ping.handler });
    t.after(() => s.close());
    const now = Math.floor(Date.now() / 1000);
    const hs = new TextEncoder().encode("a-shared-secret-that-is-32-bytes!");
    const cases: [string, Buffer, string, string | null][] = [
      [
        "unsigned",
        Buffer.from(
          `${b64({ alg: "none" })}.${b64({ id: "r-1", name: "ping", aud: "hq/gw-01", iat: now, exp: now + 60, args: {} })}.`,
        ),
        ErrorCodes.COMMAND_UNSIGNED,
        "r-1",
      ],
      ["wrong key", await token({ id: "r-2" }, intruder.privateKey), ErrorCodes.COMMAND_BAD_SIGNATURE, "r-2"],
      ["HS256", await token({ id: "r-3" }, hs, "HS256"), ErrorCodes.COMMAND_ALG_NOT_ALLOWED, "r-3"],
      ["expired", await token({ id: "r-4", iat: now - 600, exp: now - 60 }), ErrorCodes.COMMAND_EXPIRED, "r-4"],
      ["future", await token({ id: "r-5", iat: now + 120, exp: now + 180 }), ErrorCodes.COMMAND_NOT_YET_VALID, "r-5"],
      ["lifetime", await token({ id: "r-6", exp: now + 3600 }), ErrorCodes.COMMAND_LIFETIME_TOO_LONG, "r-6"],
      ["other verb", await token({ id: "r-7", name: "reboot" }), ErrorCodes.COMMAND_NAME_MISMATCH, "r-7"],
      ["missing args", await token({ id: "r-8", args: undefined }), ErrorCodes.COMMAND_MALFORMED, "r-8"],
      ["garbage", Buffer.from("not a jws at all"), ErrorCodes.COMMAND_MALFORMED, null],
      ["binary", Buffer.from([0xff, 0xfe, 0x00, 0x2e, 0x2e]), ErrorCodes.COMMAND_MALFORMED, null],
      ["oversize", Buffer.alloc(70_000, 0x41), ErrorCodes.COMMAND_MALFORMED, null],
    ];
    for (const [what, payload, code, id] of cases) {
      const result = await handled(s, topic("ping"), payload);
      assert.equal(result.ok, false, what);
      assert.equal(result.id, id, what);
      assert.equal(result.error?.code, code, what);
      assert.equal(result.data, undefined, what);
      const entry = s.audit.inputs.at(-1);
      assert.deepEqual(
        entry,
        {
          actor: "central",
          action: "command.received",
          target: `command:${id ?? "?"}`,
          result: "denied",
          details: { name: "ping", code },
        },
        what,
      );
      const signature = payload.toString("latin1").split(".")[2];
      if (signature)
        assert.ok(!JSON.stringify(entry).includes(signature), `${what}: the signature reached the audit entry`);
      if (id !== null) assert.equal(await s.store.get(id), undefined, what);
    }
    assert.equal(ping.calls.length, 0);
    assert.equal(s.audit.inputs.length, cases.length);
  });

  void it("a flood of bad commands is answered one by one, audited once per reason a minute, and leaves nothing behind", async (t) => {
    const s = await openStack(freshDir(), { ping: counting().handler }, undefined, 60_000);
    t.after(() => s.close());
    const forged = await token({ id: "forged" }, intruder.privateKey);
    const results = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        handled(s, topic(i % 3 ? "ping" : `x${i}`), i % 2 ? forged : Buffer.from(`junk-${i}`)),
      ),
    );
    assert.ok(results.every((r) => !r.ok));
    // Issue 15: one entry per reason, whatever names and ids the flood made up.
    assert.deepEqual(
      s.audit.inputs.map((e) => e.details?.code).sort(),
      [ErrorCodes.COMMAND_BAD_SIGNATURE, ErrorCodes.COMMAND_MALFORMED].sort(),
    );
    let stored = 0;
    for await (const _ of s.db.sublevels.commands.keys()) stored++;
    assert.equal(stored, 0);
  });

  void it("unknown command names, unknown topics, handler failures and id reuse", async (t) => {
    const ping = counting();
    let failures = 0;
    const s = await openStack(freshDir(), {
      ping: ping.handler,
      refuse: async () => {
        failures++;
        throw new VigilError(ErrorCodes.NOT_FOUND, "no such watchlist entry");
      },
      crash: async () => {
        throw new Error("connection string postgres://admin:hunter2@db leaked");
      },
      weird: async () => ({ n: 1n }),
    });
    t.after(() => s.close());

    const unknown = await handled(s, topic("reboot"), await token({ id: "u-1", name: "reboot" }));
    assert.deepEqual(unknown, {
      id: "u-1",
      ok: false,
      error: { code: ErrorCodes.COMMAND_UNKNOWN, message: 'unknown command "reboot"' },
    });
    assert.deepEqual(s.audit.inputs.at(-1), {
      actor: "central",
      action: "command.received",
      target: "command:u-1",
      result: "denied",
      details: { name: "reboot", code: ErrorCodes.COMMAND_UNKNOWN },
    });

    const audited = s.audit.inputs.length;
    for (const other of [
      `${BASE}/cmd_result/ping`,
      `${BASE}/cmd/Ping`,
      `${BASE}/cmd/ping/x`,
      `vigil/hq/gw-02/cmd/ping`,
      `${BASE}/status`,
    ]) {
      assert.equal(await s.dispatcher.handle(other, await token({ id: "t-1" })), undefined, other);
    }
    assert.equal(s.audit.inputs.length, audited);

    const refused = await handled(s, topic("refuse"), await token({ id: "h-1", name: "refuse" }));
    assert.deepEqual(refused, {
      id: "h-1",
      ok: false,
      error: { code: ErrorCodes.NOT_FOUND, message: "no such watchlist entry" },
    });
    assert.equal(s.audit.inputs.at(-1)?.result, "error");
    assert.deepEqual(await handled(s, topic("refuse"), await token({ id: "h-1", name: "refuse" })), refused);
    assert.equal(failures, 1, "a failed command is not retried under the same id");

    const crashed = await handled(s, topic("crash"), await token({ id: "h-2", name: "crash" }));
    assert.deepEqual(crashed, {
      id: "h-2",
      ok: false,
      error: { code: ErrorCodes.INTERNAL, message: "command failed" },
    });
    assert.deepEqual(s.audit.inputs.at(-1)?.details, { name: "crash", code: ErrorCodes.INTERNAL });
    const weird = await handled(s, topic("weird"), await token({ id: "h-3", name: "weird" }));
    assert.equal(weird.error?.code, ErrorCodes.INTERNAL);

    await handled(s, topic("ping"), await token({ id: "same" }));
    const reused = await handled(s, topic("refuse"), await token({ id: "same", name: "refuse" }));
    assert.equal(reused.error?.code, ErrorCodes.COMMAND_ID_CONFLICT);
    assert.equal(s.audit.inputs.at(-1)?.result, "denied");
    assert.equal(failures, 1);
  });

  void it("beyond maxInFlight running commands answers BUSY without storing, and stop waits for the running ones", async (t) => {
    let release = (): void => {};
    const gate = new Promise<void>((r) => (release = r));
    const s = await openStack(freshDir(), { slow: async () => gate, ping: counting().handler }, 1);
    t.after(() => s.close());
    const running = handled(s, topic("slow"), await token({ id: "b-1", name: "slow" }));
    await new Promise((r) => setTimeout(r, 20));
    const busy = await handled(s, topic("ping"), await token({ id: "b-2" }));
    assert.equal(busy.error?.code, ErrorCodes.COMMAND_BUSY);
    assert.equal(await s.store.get("b-2"), undefined);
    const stopped = s.dispatcher.stop();
    const late = await handled(s, topic("ping"), await token({ id: "b-3" }));
    assert.equal(late.error?.code, ErrorCodes.SHUTTING_DOWN);
    release();
    await stopped;
    assert.deepEqual(await running, { id: "b-1", ok: true });
    assert.equal((await s.store.get("b-1"))?.result.ok, true);
  });

  void it("when the audit entry cannot be written, handle rejects and a retry of the id is answered from the store", async (t) => {
    const ping = counting();
    const s = await openStack(freshDir(), { ping: ping.handler });
    t.after(() => s.close());
    const payload = await token({ id: "x-1" });
    s.audit.failing = true;
    await assert.rejects(s.dispatcher.handle(topic("ping"), payload), /audit store unavailable/);
    s.audit.failing = false;
    assert.deepEqual(await handled(s, topic("ping"), payload), { id: "x-1", ok: true, data: { echoed: {}, run: 1 } });
    assert.equal(ping.calls.length, 1);
  });

  void it("prune forgets results whose command expired long ago, and only those", async (t) => {
    const s = await openStack(freshDir(), {});
    t.after(() => s.close());
    const nowS = 2_000_000_000;
    const day = 86_400;
    const ok = (id: string): CommandResult => ({ id, ok: true });
    await s.store.put("old", "ping", ok("old"), nowS - day - 10);
    await s.store.put("edge", "ping", ok("edge"), nowS - day + 10);
    await s.store.put("fresh", "ping", ok("fresh"), nowS + 60);
    await s.store.put("weird!id", "ping", ok("weird!id"), nowS - 2 * day);
    await s.store.put("boundary", "ping", ok("boundary"), nowS - day);
    await s.store.put("just-before", "ping", ok("just-before"), nowS - day - 1);
    assert.equal(await s.store.prune(nowS * 1000 + 999), 3);
    assert.equal(await s.store.get("old"), undefined);
    assert.equal(await s.store.get("weird!id"), undefined);
    assert.deepEqual(await s.store.get("edge"), { name: "ping", result: ok("edge"), exp: nowS - day + 10 });
    assert.ok(await s.store.get("fresh"));
    assert.ok(await s.store.get("boundary"));
    assert.equal(await s.store.get("just-before"), undefined);
    assert.equal(await s.store.prune(nowS * 1000), 0);
    let keys = 0;
    for await (const _ of s.db.sublevels.commands.keys()) keys++;
    assert.equal(keys, 6, "three entries, each with its expiry index");
  });
});
