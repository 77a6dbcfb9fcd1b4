// Issue 15, finding 6 (and 13's line cap): a backup is authenticated as a whole. Whoever can
// write the backup file (a copy on a share, a USB stick) must not be able to add an admin, an API
// key or a camera to the box it is restored on. Real CLI, real store; nothing is written to the
// store of a refused restore.
import assert from "node:assert/strict";
import { readdir, readFile, writeFile, cp, rm, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync, gunzipSync } from "node:zlib";
import { after, before, describe, it } from "node:test";
import { provisionBox, runCli, type TestBox } from "../helpers/daemon.js";

const PASSWORD = "Corr3ct-Horse-Battery!";
const CONFIG = {
  site: "hq",
  gateway: "gw-bk",
  log: { level: "info", stats_interval_s: 0 },
  http: { listen: "127.0.0.1:1" },
  auth: { argon2: { memory_kib: 19_456, time_cost: 2 } },
};
let work: string;
let source: TestBox;
let original: string;
const boxes: TestBox[] = [];

const vigil = (box: TestBox, args: string[], stdin = "") =>
  runCli([...args, "--config", box.configPath], { VIGIL_CONFIG: "" }, stdin);
const codeOf = (ran: { stdout: string }): string | undefined =>
  (JSON.parse(ran.stdout) as { error?: { code: string } }).error?.code;

/** A box with the source box's secrets (so only the file decides), and an empty store. */
async function targetBox(): Promise<TestBox> {
  const box = await provisionBox(CONFIG);
  boxes.push(box);
  await rm(join(box.dir, "secrets"), { recursive: true, force: true });
  await cp(join(source.dir, "secrets"), join(box.dir, "secrets"), { recursive: true });
  return box;
}

function lines(file: Buffer): string[] {
  return gunzipSync(file)
    .toString("utf8")
    .split("\n")
    .filter((l) => l.length > 0);
}

async function edited(name: string, edit: (ls: string[]) => string[]): Promise<string> {
  const path = join(work, name);
  await writeFile(path, gzipSync(`${edit(lines(await readFile(original))).join("\n")}\n`));
  return path;
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), "vigil-sec-backup-"));
  source = await provisionBox(CONFIG);
  boxes.push(source);
  const added = await vigil(source, ["user", "add", "ops", "--role", "viewer"], PASSWORD);
  assert.equal(added.code, 0, added.stderr);
  original = join(work, "original.vbk");
  const backup = await vigil(source, ["backup", original, "--json"]);
  assert.equal(backup.code, 0, backup.stdout + backup.stderr);
});
after(async () => {
  for (const b of boxes) await b.cleanup();
  await rm(work, { recursive: true, force: true });
});

void describe("backup authentication", () => {
  void it("the file ends in a MAC trailer over everything before it", async () => {
    const all = lines(await readFile(original));
    assert.match(all.at(-1) ?? "", /^\{"vigil_backup_mac":"[0-9a-f]{64}"\}$/);
    assert.equal((JSON.parse(all[0] ?? "{}") as { version: number }).version, 2);
  });

  void it("an edited user record, an added API key, a dropped trailer or a line too long: refused, nothing written", async () => {
    const promote = (ls: string[]) =>
      ls.map((l) => (l.startsWith('["!users!ops"') ? l.replace('"role":"viewer"', '"role":"admin"') : l));
    const addKey = (ls: string[]) => {
      const header = JSON.parse(ls[0] ?? "{}") as { counts: { entries: number; sublevels: Record<string, number> } };
      header.counts.entries += 1;
      header.counts.sublevels.api_keys = (header.counts.sublevels.api_keys ?? 0) + 1;
      const key = JSON.stringify([
        "!api_keys!abcdefghijklmnop",
        { key_id: "abcdefghijklmnop", camera_id: "lobby", digest: "0".repeat(64), scopes: ["frames:write"] },
      ]);
      return [JSON.stringify(header), ...ls.slice(1, -1), key, ls.at(-1) ?? ""];
    };
    const files = {
      "promoted user": await edited("promoted.vbk", promote),
      "added key": await edited("added-key.vbk", addKey),
      "trailer dropped": await edited("no-trailer.vbk", (ls) => ls.slice(0, -1)),
      "entries cut": await edited("cut.vbk", (ls) => [...ls.slice(0, 2), ls.at(-1) ?? ""]),
    };
    assert.ok(
      lines(await readFile(files["promoted user"])).some(
        (l) => l.includes('"role":"admin"') && l.includes("!users!ops"),
      ),
      "the edit took",
    );
    for (const [what, file] of Object.entries(files)) {
      const box = await targetBox();
      const ran = await vigil(box, ["restore", file, "--json"]);
      assert.equal(ran.code, 1, `${what}: ${ran.stdout}`);
      assert.match(codeOf(ran) ?? "", /^VIGIL_E_(BACKUP_TAMPERED|VALIDATION)$/, what);
      if (what !== "entries cut") assert.equal(codeOf(ran), "VIGIL_E_BACKUP_TAMPERED", what);
      assert.deepEqual(await readdir(join(box.dir, "data")).catch(() => []), [], `${what}: nothing was written`);
    }
    const long = join(work, "long.vbk");
    await writeFile(long, gzipSync(`${lines(await readFile(original))[0] ?? ""}\n${"x".repeat(9 * 1024 * 1024)}\n`));
    const box = await targetBox();
    const ran = await vigil(box, ["restore", long, "--json"]);
    assert.equal(codeOf(ran), "VIGIL_E_VALIDATION");
    assert.match(ran.stdout, /longer than/);
  });

  void it("the untouched backup restores", async () => {
    const box = await targetBox();
    const ran = await vigil(box, ["restore", original, "--json"]);
    assert.equal(ran.code, 0, ran.stdout + ran.stderr);
    const users = await vigil(box, ["user", "list", "--json"]);
    assert.match(users.stdout, /"ops"/);
  });
});
