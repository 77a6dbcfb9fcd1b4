// What a field tech and a scraper see of a running daemon: `vigil health` over the admin socket is
// the same document as `GET /v1/health`, with the box's own figures sampled in the background;
// `/metrics` is Prometheus text with the outbox and auth series; with no daemon, `vigil health`
// says so and exits 1.
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { parse, stringify } from "yaml";
import { after, before, describe, it } from "node:test";
import { type DaemonHandle, provisionBox, runCli, type TestBox } from "../helpers/daemon.js";
import { freePort } from "../helpers/free-port.js";

const PASSWORD = "Corr3ct-Horse-Battery!";
let box: TestBox;
let daemon: DaemonHandle;
let base = "";

before(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  box = await provisionBox({
    site: "hq",
    gateway: "gw-health",
    http: { listen: `127.0.0.1:${port}` },
    health: { system_interval_s: 1 },
    auth: { argon2: { memory_kib: 19456, time_cost: 2 } },
    cameras: [{ id: "lobby", url: "rtsp://127.0.0.1:9/none", enabled: false }],
  });
  const add = await runCli(["user", "add", "tech", "--role", "viewer", "--config", box.configPath], {}, PASSWORD);
  assert.equal(add.code, 0, add.stderr);
  daemon = box.start();
  // Started, not just listening: until the detector has loaded, health says "failing", and the
  // comparison below would race the model load.
  await daemon.waitForLog((l) => l.msg === "started", 30_000);
});
after(async () => {
  await box.cleanup();
});

async function token(): Promise<string> {
  const r = await fetch(`${base}/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "tech", password: PASSWORD }),
  });
  assert.equal(r.status, 200);
  return ((await r.json()) as { access_token: string }).access_token;
}

void describe("health for the field tech", () => {
  void it("vigil health --json is the document behind GET /v1/health, with system figures", async () => {
    const auth = { authorization: `Bearer ${await token()}` };
    // The first system sample is taken in the background; wait until health carries it.
    let http: Record<string, unknown> = {};
    for (let i = 0; i < 50; i++) {
      http = (await (await fetch(`${base}/v1/health`, { headers: auth })).json()) as Record<string, unknown>;
      if (http.system) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const cli = await runCli(["health", "--json", "--config", box.configPath]);
    assert.equal(cli.code, 0, cli.stdout + cli.stderr);
    const doc = JSON.parse(cli.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(doc).sort(), Object.keys(http).sort());
    for (const k of ["status", "version", "cameras", "certificates"]) assert.deepEqual(doc[k], http[k], k);
    const system = doc.system as {
      cpu: { cores: number };
      memory: { total_bytes: number };
      disk: { free_bytes: number } | null;
    };
    assert.ok(system.cpu.cores >= 1);
    assert.ok(system.memory.total_bytes > 0);
    assert.ok(system.disk && system.disk.free_bytes > 0);
    const outbox = doc.outbox as { depth: Record<string, number>; oldest_age_s: Record<string, number | null> };
    // With no broker, the audit entries of this run (start, user.created, login) are waiting.
    assert.ok((outbox.depth.audit ?? 0) >= 2);
    assert.ok((outbox.oldest_age_s.audit ?? -1) >= 0);
    const human = await runCli(["health", "--config", box.configPath]);
    assert.equal(human.code, 0);
    assert.match(human.stdout, /^(OK|DEGRADED) {2}vigil /);
    assert.match(human.stdout, /OUTBOX/);
  });

  void it("GET /v1/health needs a viewer token", async () => {
    assert.equal((await fetch(`${base}/v1/health`)).status, 401);
  });

  void it("GET /v1/cameras shows config, state and link quality, and no credentials", async () => {
    const auth = { authorization: `Bearer ${await token()}` };
    const list = (await (await fetch(`${base}/v1/cameras`, { headers: auth })).json()) as {
      cameras: Array<Record<string, unknown>>;
    };
    const lobby = list.cameras.find((c) => c.id === "lobby");
    assert.equal(lobby?.state, "disabled");
    assert.equal(lobby?.connection_quality, "unusable");
    assert.equal(lobby?.camera_fps, 0);
    assert.equal((await fetch(`${base}/v1/cameras/nope`, { headers: auth })).status, 404);
    assert.equal((await fetch(`${base}/v1/cameras/lobby`, { headers: auth })).status, 200);
  });

  void it("/metrics is Prometheus text with outbox depth and auth failures", async () => {
    await fetch(`${base}/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "tech", password: "Wr0ng-Password-here!" }),
    });
    const text = await (await fetch(`${base}/metrics`)).text();
    for (const line of text.split("\n").filter((l) => l !== "" && !l.startsWith("#"))) {
      assert.match(line, /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? -?[0-9.e+-]+|NaN|[+-]Inf$/, line);
    }
    assert.match(text, /^vigil_outbox_depth\{stream="audit"\} [1-9]/m);
    assert.match(text, /^vigil_auth_failures_total\{kind="login"\} 1$/m);
    assert.match(text, /^vigil_outbox_oldest_age_seconds\{stream="audit"\} /m);
    assert.match(text, /^vigil_provider_up\{provider="cpu",model="nanodet-g-416"\} 1$/m);
  });

  void it("SIGHUP applies a new log level, names what needs a restart, and refuses a broken config", async () => {
    const original = await readFile(box.configPath, "utf8");
    const doc = parse(original) as Record<string, unknown>;
    await writeFile(box.configPath, stringify({ ...doc, log: { level: "debug" }, outbox: { max_bytes: 2_000_000 } }));
    daemon.signal("SIGHUP");
    const reloaded = await daemon.waitForLog((l) => l.msg === "config reloaded; some changes need a restart", 10_000);
    assert.deepEqual(reloaded.needs_restart, ["outbox"]);
    assert.deepEqual(reloaded.applied, { "log.level": "debug" });
    await writeFile(box.configPath, "site: [not, valid\n");
    daemon.signal("SIGHUP");
    await daemon.waitForLog((l) => l.msg === "config reload refused; the running config stays", 10_000);
    await writeFile(box.configPath, original);
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
  });

  void it("with the daemon stopped, vigil health says so and exits 1", async () => {
    daemon.signal("SIGTERM");
    assert.equal(await daemon.exited, 0);
    const r = await runCli(["health", "--json", "--config", box.configPath]);
    assert.equal(r.code, 1);
    assert.equal((JSON.parse(r.stdout) as { error: { code: string } }).error.code, "VIGIL_E_DAEMON_UNREACHABLE");
  });
});
