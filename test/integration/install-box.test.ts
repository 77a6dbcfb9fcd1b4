// scripts/install-box.sh and scripts/uninstall-box.sh in a scratch root, as whoever runs the tests
// (--no-user: no service user, no chown, no systemctl). What is checked is what an installer relies
// on: the tree and its modes, that the installed package runs, that a second run changes nothing
// (above all no config or secret), and that uninstall keeps the box's data unless told to purge.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const INSTALL = join(REPO, "scripts", "install-box.sh");
const UNINSTALL = join(REPO, "scripts", "uninstall-box.sh");
const SECRETS = ["audit_checkpoint_key", "audit_hmac_key", "token_signing_key", "watchlist_key"];

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((res) => child.once("close", (code) => res({ code, stdout, stderr })));
}

function show(ran: Ran): string {
  return `exit ${ran.code}\nstdout: ${ran.stdout}\nstderr: ${ran.stderr}`;
}

async function mode(path: string): Promise<string> {
  return ((await stat(path)).mode & 0o7777).toString(8).padStart(4, "0");
}

/** Every file and directory under `dir`: mode, size, mtime and content hash, by relative path. */
async function fingerprint(dir: string, skip: (rel: string) => boolean = () => false): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(rel: string): Promise<void> {
    for (const entry of await readdir(join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (skip(child)) continue;
      const s = await stat(join(dir, child));
      if (s.isDirectory()) {
        out[`${child}/`] = (s.mode & 0o7777).toString(8);
        await walk(child);
      } else {
        const hash = createHash("sha256")
          .update(await readFile(join(dir, child)))
          .digest("hex");
        out[child] = `${(s.mode & 0o7777).toString(8)} ${s.size} ${s.mtimeMs} ${hash}`;
      }
    }
  }
  await walk("");
  return out;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

void describe("install-box.sh and uninstall-box.sh in a scratch root", () => {
  let root: string;
  const at = (path: string): string => join(root, path);
  const install = (...extra: string[]): Promise<Ran> => run("bash", [INSTALL, "--root", root, "--no-user", ...extra]);
  // The data the box must never lose to a re-run: /etc/vigil (config, secrets, certs) and /var/lib/vigil.
  const boxData = async (): Promise<Record<string, string>> => ({
    ...(await fingerprint(at("etc/vigil"))),
    ...Object.fromEntries(Object.entries(await fingerprint(at("var/lib/vigil"))).map(([k, v]) => [`var/${k}`, v])),
  });

  before(async () => {
    root = await mkdtemp(join(tmpdir(), "vigil-root-"));
  });
  after(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  void it("refuses what it cannot do: unknown options and --root without --no-user (exit 2)", async () => {
    for (const args of [
      ["--bogus"],
      ["--root", root],
      ["--root", root, "--no-user", "--site", "Not Valid"],
      ["--root", root, "--no-user", "--prefix", "relative"],
    ]) {
      const ran = await run("bash", [INSTALL, ...args]);
      assert.equal(ran.code, 2, `${args.join(" ")}: ${show(ran)}`);
    }
    const help = await run("bash", [INSTALL, "--help"]);
    assert.equal(help.code, 0, show(help));
    assert.match(help.stdout, /--root DIR/);
    assert.deepEqual(await readdir(root), [], "nothing was installed");
  });

  void it("installs the tree with its modes, a config for this box, secrets from vigil init, and a package that runs", async () => {
    const ran = await install("--site", "hq", "--gateway", "gw-07");
    assert.equal(ran.code, 0, show(ran));
    assert.match(ran.stdout, /created .*secrets\/audit_hmac_key/);

    const modes: Array<[string, string]> = [
      ["etc/vigil", "0750"],
      ["etc/vigil/vigil.yaml", "0640"],
      ["etc/vigil/secrets", "0700"],
      ["etc/vigil/certs", "0750"],
      ["var/lib/vigil", "0700"],
      ["var/lib/vigil/backups", "0700"],
      ["etc/systemd/system/vigil.service", "0644"],
      ["usr/local/bin/vigil", "0755"],
      ["opt/vigil/dist/src/cli/main.js", "0755"],
      ...SECRETS.map((s): [string, string] => [`etc/vigil/secrets/${s}`, "0600"]),
    ];
    for (const [path, expected] of modes) assert.equal(await mode(at(path)), expected, path);
    assert.deepEqual((await readdir(at("etc/vigil/secrets"))).sort(), SECRETS);

    // The unit exactly as shipped; the package with what the daemon needs at run time.
    assert.equal(
      await readFile(at("etc/systemd/system/vigil.service"), "utf8"),
      await readFile(join(REPO, "systemd", "vigil.service"), "utf8"),
    );
    for (const path of [
      "package.json",
      "node_modules/commander/package.json",
      "models/manifest.json",
      "config/vigil.example.yaml",
      "scripts/uninstall-box.sh",
    ]) {
      assert.ok(await exists(at(`opt/vigil/${path}`)), `opt/vigil/${path}`);
    }
    assert.equal(await exists(at("opt/vigil/dist/test")), false, "tests are not shipped");
    assert.match(
      await readFile(at("usr/local/bin/vigil"), "utf8"),
      /runuser -u vigil -- "[^"]+" "\/opt\/vigil\/dist\/src\/cli\/main\.js"/,
    );

    // The config names the box and the box's real paths (not the scratch root's).
    const config = await readFile(at("etc/vigil/vigil.yaml"), "utf8");
    assert.match(config, /^site: hq$/m);
    assert.match(config, /^gateway: gw-07$/m);
    assert.match(config, /^data_dir: \/var\/lib\/vigil$/m);

    // The installed package runs: `vigil config check` on the new box (paths pointed into the root).
    const check = await run(
      process.execPath,
      [at("opt/vigil/dist/src/cli/main.js"), "config", "check", "--config", at("etc/vigil/vigil.yaml"), "--json"],
      {
        VIGIL_CONFIG: "",
        VIGIL__DATA_DIR: at("var/lib/vigil"),
        VIGIL__SECRETS_DIR: at("etc/vigil/secrets"),
        VIGIL__CERTS_DIR: at("etc/vigil/certs"),
      },
    );
    assert.equal(check.code, 0, show(check));
  });

  void it("a second run changes nothing: config, secrets and directories keep their bytes, modes and mtimes", async () => {
    const data = await boxData();
    const system = await fingerprint(at("etc/systemd"));
    const wrapper = await fingerprint(at("usr/local/bin"));
    const pkg = await fingerprint(at("opt/vigil"), (rel) => rel.startsWith("node_modules/"));

    const ran = await install("--site", "other", "--gateway", "gw-99");
    assert.equal(ran.code, 0, show(ran));
    assert.match(ran.stdout, /kept .*vigil\.yaml/);
    assert.match(ran.stdout, /kept .*secrets\/token_signing_key/);
    assert.doesNotMatch(ran.stdout, /created/);

    assert.deepEqual(await boxData(), data);
    assert.deepEqual(await fingerprint(at("etc/systemd")), system);
    assert.deepEqual(await fingerprint(at("usr/local/bin")), wrapper);
    // Replaced as a whole (that is how upgrades land), with the same content and timestamps.
    assert.deepEqual(await fingerprint(at("opt/vigil"), (rel) => rel.startsWith("node_modules/")), pkg);
    assert.deepEqual((await readdir(at("opt"))).sort(), ["vigil"], "no staging directories left behind");
  });

  void it("uninstall keeps the box's data; --purge removes it", async () => {
    const data = await boxData();
    const kept = await run("bash", [UNINSTALL, "--root", root]);
    assert.equal(kept.code, 0, show(kept));
    for (const path of ["opt/vigil", "etc/systemd/system/vigil.service", "usr/local/bin/vigil"])
      assert.equal(await exists(at(path)), false, `${path} removed`);
    assert.deepEqual(await boxData(), data, "config, secrets and store untouched");

    // Reinstalled, the box picks up its old config and secrets.
    const again = await install();
    assert.equal(again.code, 0, show(again));
    assert.deepEqual(await boxData(), data);

    const purged = await run("bash", [UNINSTALL, "--root", root, "--purge"]);
    assert.equal(purged.code, 0, show(purged));
    for (const path of [
      "opt/vigil",
      "etc/vigil",
      "var/lib/vigil",
      "etc/systemd/system/vigil.service",
      "usr/local/bin/vigil",
    ])
      assert.equal(await exists(at(path)), false, `${path} removed`);
  });

  void it("uninstall leaves alone a prefix that is not a Vigil package", async () => {
    const ran = await run("bash", [UNINSTALL, "--root", root, "--prefix", "/etc"]);
    assert.equal(ran.code, 1, show(ran));
    assert.match(ran.stderr, /does not look like a Vigil package/);
    assert.ok(await exists(at("etc")));
  });
});
