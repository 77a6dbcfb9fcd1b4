// `vigil diagnose` as a tech runs it: a tar.gz with the documented files, private to its owner,
// and not one secret value inside, whatever the box holds.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { provisionBox, runCli, type TestBox } from "../helpers/daemon.js";

let box: TestBox;

before(async () => {
  box = await provisionBox({
    site: "hq",
    gateway: "gw-diag",
    cameras: [{ id: "lobby", url: "rtsp://10.0.0.10:554/stream1", credentials_file: "lobby.cred", enabled: false }],
  });
  await writeFile(join(box.dir, "secrets", "lobby.cred"), "admin:Camera-Pass-7e1f9a", { mode: 0o600 });
});
after(async () => {
  await box.cleanup();
});

void describe("vigil diagnose", () => {
  void it("writes a 0600 tar.gz with config, health, versions and logs, and no secret in it", async () => {
    const output = join(box.dir, "bundle.tar.gz");
    const r = await runCli(["diagnose", "--output", output, "--config", box.configPath, "--json"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal((await stat(output)).mode & 0o777, 0o600);
    const out = join(box.dir, "unpacked");
    await mkdir(out);
    await promisify(execFile)("tar", ["-xzf", output, "-C", out]);
    const folder = join(out, "vigil-diagnose-hq-gw-diag");
    const names = (await readdir(folder)).sort();
    for (const n of [
      "README.txt",
      "config.json",
      "config-check.json",
      "health.json",
      "versions.json",
      "ffmpeg.txt",
      "certificates.json",
      "models.json",
      "logs.txt",
    ])
      assert.ok(names.includes(n), n);
    const health = JSON.parse(await readFile(join(folder, "health.json"), "utf8")) as { error?: { code: string } };
    assert.equal(health.error?.code, "VIGIL_E_DAEMON_UNREACHABLE", "no daemon runs in this test");
    assert.match(await readFile(join(folder, "ffmpeg.txt"), "utf8"), /ffmpeg version/);
    const everything = (await Promise.all(names.map((n) => readFile(join(folder, n), "utf8")))).join("\n");
    const secretsDir = join(box.dir, "secrets");
    for (const f of await readdir(secretsDir)) {
      const value = (await readFile(join(secretsDir, f), "utf8")).trim();
      assert.ok(!everything.includes(value), `secret ${f} leaked into the bundle`);
      // The PEM key's body too, line by line.
      for (const line of value.split("\n").filter((l) => l.length > 20 && !l.startsWith("-----")))
        assert.ok(!everything.includes(line), `part of ${f} leaked`);
    }
    assert.ok(!everything.includes("Camera-Pass-7e1f9a"));
  });
});
