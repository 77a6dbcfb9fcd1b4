// `vigil key create|list|revoke` in a child process against a store in a temp dir (no daemon, so
// the verbs take the offline path): what goes to stdout and stderr, --json, and exit codes.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parseApiKey } from "../../src/auth/api-keys/api-key-format.js";

const CLI = fileURLToPath(new URL("../helpers/key-cli.js", import.meta.url));

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function vigil(args: string[]): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, VIGIL_CONFIG: "" } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

void describe("vigil key", () => {
  let root: string;
  let config: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), "vigil-key-cli-"));
    config = join(root, "vigil.yaml");
    await writeFile(config, ["site: hq", "gateway: gw-01", "data_dir: ./data", "cameras:", "  - id: lobby", "    url: rtsp://10.0.0.10/s1", ""].join("\n"));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  void it("create prints only the key on stdout and the warning on stderr; list and revoke follow", async () => {
    const created = await vigil(["key", "create", "--camera", "lobby", "--scope", "frames:write", "--cidr", "10.0.0.0/8", "--cidr", "::ffff:192.168.0.0/112", "--per-minute", "30", "--expires-days", "7", "--label", "lobby cam", "-c", config]);
    assert.equal(created.code, 0, created.stderr);
    const key = created.stdout.trim();
    const keyId = parseApiKey(key)?.keyId;
    assert.ok(keyId, `stdout is the key: ${created.stdout}`);
    assert.match(created.stderr, /shown once/);

    const listed = await vigil(["key", "list", "--camera", "lobby", "--json", "-c", config]);
    assert.equal(listed.code, 0, listed.stderr);
    const [entry] = (JSON.parse(listed.stdout) as { api_keys: Array<Record<string, unknown>> }).api_keys;
    assert.equal(entry?.key_id, keyId);
    assert.deepEqual(entry?.scopes, ["frames:write"]);
    assert.deepEqual(entry?.allowed_cidrs, ["10.0.0.0/8", "192.168.0.0/16"]);
    assert.deepEqual(entry?.limits, { per_minute: 30, per_hour: 36_000 });
    assert.equal(entry?.label, "lobby cam");
    assert.ok(!listed.stdout.includes(key.slice(20)), "list never shows the secret");

    const table = await vigil(["key", "list", "-c", config]);
    assert.match(table.stdout, /^KEY ID\s+CAMERA\s+STATUS/);
    assert.match(table.stdout, new RegExp(`${keyId}\\s+lobby\\s+active\\s+frames:write`));

    const revoked = await vigil(["key", "revoke", keyId, "-c", config]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, new RegExp(`revoked key ${keyId} of camera lobby`));
    const again = await vigil(["key", "revoke", keyId, "--json", "-c", config]);
    assert.equal((JSON.parse(again.stdout) as { already_revoked: boolean }).already_revoked, true);

    const audit = (await readFile(join(root, "data", "audit.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { actor: string; action: string });
    assert.deepEqual(
      audit.map((e) => e.action),
      ["key.created", "key.revoked", "key.revoked"],
    );
    assert.ok(audit.every((e) => e.actor.startsWith("cli:")));
  });

  void it("create --json carries the key once with the warning", async () => {
    const ran = await vigil(["key", "create", "--camera", "lobby", "--json", "-c", config]);
    assert.equal(ran.code, 0, ran.stderr);
    const body = JSON.parse(ran.stdout) as { key: string; api_key: { key_id: string }; warning: string };
    assert.equal(parseApiKey(body.key)?.keyId, body.api_key.key_id);
    assert.match(body.warning, /shown once/);
    assert.equal(ran.stderr, "");
  });

  void it("failures exit with a code: unknown camera 1, bad scope or number 2, unknown key 1", async () => {
    const unknownCamera = await vigil(["key", "create", "--camera", "garage", "-c", config]);
    assert.equal(unknownCamera.code, 1);
    assert.match(unknownCamera.stderr, /VIGIL_E_CAMERA_UNKNOWN/);
    const badCidr = await vigil(["key", "create", "--camera", "lobby", "--cidr", "10.0.0.0/40", "--json", "-c", config]);
    assert.equal(badCidr.code, 1);
    assert.equal((JSON.parse(badCidr.stdout) as { error: { code: string } }).error.code, "VIGIL_E_VALIDATION");
    assert.equal((await vigil(["key", "create", "--camera", "lobby", "--scope", "frames:read", "-c", config])).code, 2);
    assert.equal((await vigil(["key", "create", "--camera", "lobby", "--per-hour", "0", "-c", config])).code, 2);
    assert.equal((await vigil(["key", "create", "-c", config])).code, 2);
    const unknownKey = await vigil(["key", "revoke", "abcdefghijklmnop", "-c", config]);
    assert.equal(unknownKey.code, 1);
    assert.match(unknownKey.stderr, /VIGIL_E_NOT_FOUND/);
    const help = await vigil(["key", "create", "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--expires-days/);
  });
});
