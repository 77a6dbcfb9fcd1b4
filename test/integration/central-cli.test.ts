// `vigil central keygen|sign|send|tail|verify` as an operator runs them, against real mosquitto and
// a gateway composed by the daemon's own sync composition: a signed command gets its cmd_result,
// a command signed with another key is refused by the gateway, an absent gateway times out with a
// stable code, and the audit stream captured by `tail --json` verifies with only the public key.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { startFleetGateway, type FleetGateway } from "../helpers/fleet-gateway.js";
import { startMosquitto, type MosquittoHandle } from "../helpers/mosquitto.js";
import { ROOT } from "../helpers/repo-root.js";

const CLI = join(ROOT, "dist/src/cli/main.js");

function vigil(
  args: string[],
  opts: { until?: (out: string) => boolean; started?: () => void } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      if (opts.until?.(stdout)) child.kill("SIGINT");
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
      if (stderr.includes('"kind":"connected"')) opts.started?.();
    });
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

let broker: MosquittoHandle;
let root: string;
let gw: FleetGateway;
before(async () => {
  broker = await startMosquitto();
  root = await mkdtemp(join(tmpdir(), "vigil-central-cli-"));
});
after(async () => {
  await gw?.stop();
  await broker.stop();
  await rm(root, { recursive: true, force: true });
});

void describe("vigil central", () => {
  void it("every verb has --help", async () => {
    for (const verb of ["keygen", "sign", "send", "tail", "verify"]) {
      const r = await vigil(["central", verb, "--help"]);
      assert.equal(r.code, 0, verb);
      assert.match(r.stdout, /Usage: vigil central/);
    }
  });

  void it("tail refuses a gap wait or broker ack_wait that is not a positive number of seconds", async () => {
    for (const flag of ["--gap-wait", "--broker-ack-wait"]) {
      for (const value of ["abc", "0", "-5"]) {
        const r = await vigil([
          "central",
          "tail",
          "--broker",
          broker.url,
          "--data-dir",
          join(root, "tail-bad"),
          flag,
          value,
          "--json",
        ]);
        assert.equal(r.code, 1, `${flag} ${value}`);
        assert.equal(
          (JSON.parse(r.stdout) as { error: { code: string } }).error.code,
          "VIGIL_E_VALIDATION",
          `${flag} ${value}`,
        );
      }
    }
  });

  void it("keygen, then send gets the gateway's cmd_result; wrong key refused; absent gateway times out", async () => {
    const keys = join(root, "keys");
    const made = await vigil(["central", "keygen", "--out", keys, "--json"]);
    assert.equal(made.code, 0, made.stderr);
    const { private_key_file, public_key_file } = JSON.parse(made.stdout) as {
      private_key_file: string;
      public_key_file: string;
    };
    assert.equal((await stat(private_key_file)).mode & 0o777, 0o600);
    const again = await vigil(["central", "keygen", "--out", keys, "--json"]);
    assert.equal(again.code, 1);
    assert.equal((JSON.parse(again.stdout) as { error: { code: string } }).error.code, "VIGIL_E_ALREADY_EXISTS");

    gw = await startFleetGateway({
      dataDir: join(root, "gw"),
      site: "hq",
      gateway: "gw-01",
      brokers: [broker.url],
      commandKeyFile: public_key_file,
      checkpointIntervalS: 3600,
    });
    for (let i = 0; i < 50 && !gw.sync.uplink?.connected; i++) await sleep(50);

    const common = ["--broker", broker.url, "--gateway", "hq/gw-01", "--json", "--timeout", "10"];
    const ok = await vigil(["central", "send", "--key", private_key_file, "--name", "health.request", ...common]);
    assert.equal(ok.code, 0, ok.stderr);
    const result = JSON.parse(ok.stdout) as { ok: boolean; data: { status: string } };
    assert.equal(result.ok, true);
    assert.equal(result.data.status, "ok");

    const other = join(root, "other");
    await vigil(["central", "keygen", "--out", other]);
    const forged = await vigil([
      "central",
      "send",
      "--key",
      join(other, "central-command.key"),
      "--name",
      "health.request",
      ...common,
    ]);
    assert.equal(forged.code, 1);
    assert.equal(
      (JSON.parse(forged.stdout) as { error: { code: string } }).error.code,
      "VIGIL_E_COMMAND_BAD_SIGNATURE",
    );

    const absent = await vigil([
      "central",
      "send",
      "--key",
      private_key_file,
      "--name",
      "health.request",
      "--broker",
      broker.url,
      "--gateway",
      "hq/gw-99",
      "--timeout",
      "1",
      "--json",
    ]);
    assert.equal(absent.code, 1);
    assert.equal(
      (JSON.parse(absent.stdout) as { error: { code: string } }).error.code,
      "VIGIL_E_COMMAND_RESULT_TIMEOUT",
    );

    const token = await vigil([
      "central",
      "sign",
      "--key",
      private_key_file,
      "--name",
      "audit.checkpoint",
      "--gateway",
      "hq/gw-01",
      "--ttl",
      "60",
    ]);
    assert.equal(token.code, 0);
    assert.match(token.stdout.trim(), /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  void it("tail --json captures the audit stream, and verify proves it with only the public key", async (t) => {
    let started!: () => void;
    const connected = new Promise<void>((r) => (started = r));
    let head = Number.POSITIVE_INFINITY;
    const tailing = vigil(
      ["central", "tail", "--broker", broker.url, "--data-dir", join(root, "tail"), "--gap-wait", "1", "--json"],
      {
        started,
        until: (out) => out.split("\n").some((l) => l.includes('"audit.checkpoint"') && l.includes(`"seq":${head},`)),
      },
    );
    await connected;
    // A gateway that starts after central listens: its whole audit stream, from entry 1, is captured.
    const gw2 = await startFleetGateway({
      dataDir: join(root, "gw2"),
      site: "hq",
      gateway: "gw-02",
      brokers: [broker.url],
      checkpointIntervalS: 3600,
    });
    t.after(() => gw2.stop());
    for (let i = 0; i < 10; i++)
      await gw2.sync.audit.record({ actor: "op", action: "incident.decision", target: `incident:${i}`, result: "ok" });
    const first = await gw2.sync.checkpoints.publishNow({ force: true });
    for (let i = 10; i < 20; i++)
      await gw2.sync.audit.record({ actor: "op", action: "incident.decision", target: `incident:${i}`, result: "ok" });
    head = gw2.sync.audit.head.seq;
    await gw2.sync.checkpoints.publishNow({ force: true });
    const tail = await tailing;
    assert.equal(tail.code, 0, tail.stderr);
    const capture = join(root, "audit.jsonl");
    await writeFile(capture, tail.stdout);
    const jwkFile = join(root, "gw.jwk");
    await writeFile(jwkFile, JSON.stringify(gw2.publicJwk));
    const verified = await vigil([
      "central",
      "verify",
      "--pubkey",
      jwkFile,
      "--gateway",
      "hq/gw-02",
      "--file",
      capture,
      "--json",
    ]);
    assert.equal(verified.code, 0, verified.stdout);
    const v = JSON.parse(verified.stdout) as { ok: boolean; verifiedThrough: number; pending: number };
    assert.equal(v.ok, true);
    assert.equal(v.verifiedThrough, head);

    // A stored range: only what came after the first checkpoint, anchored on that checkpoint.
    assert.ok(first?.chain);
    const range = tail.stdout
      .split("\n")
      .filter((l) => {
        const e =
          l === "" ? undefined : (JSON.parse(l) as { envelope: { type: string; data: { seq: number } } }).envelope;
        return e !== undefined && (e.type !== "audit.entry" || e.data.seq > first.seq);
      })
      .join("\n");
    const rangeFile = join(root, "range.jsonl");
    await writeFile(rangeFile, range);
    const anchor = JSON.stringify({ seq: first.seq, chain: first.chain, mac: first.mac });
    const ranged = await vigil([
      "central",
      "verify",
      "--pubkey",
      jwkFile,
      "--gateway",
      "hq/gw-02",
      "--file",
      rangeFile,
      "--anchor",
      anchor,
      "--json",
    ]);
    assert.equal(ranged.code, 0, ranged.stdout);
    assert.deepEqual(
      (({ ok, entries, verifiedThrough }) => ({ ok, entries, verifiedThrough }))(
        JSON.parse(ranged.stdout) as { ok: boolean; entries: number; verifiedThrough: number },
      ),
      {
        ok: true,
        entries: head - first.seq,
        verifiedThrough: head,
      },
    );
    // Without the anchor the same range is missing its start.
    const unanchored = await vigil([
      "central",
      "verify",
      "--pubkey",
      jwkFile,
      "--gateway",
      "hq/gw-02",
      "--file",
      rangeFile,
    ]);
    assert.equal(unanchored.code, 1);

    // One changed word in one entry, and the same file no longer verifies.
    const tampered = (await readFile(capture, "utf8")).replace('"target":"incident:7"', '"target":"incident:8"');
    await writeFile(capture, tampered);
    const bad = await vigil(["central", "verify", "--pubkey", jwkFile, "--gateway", "hq/gw-02", "--file", capture]);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /FAILED: chain_mismatch/);
  });
});
