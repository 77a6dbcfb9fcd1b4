// Secrets: weak values are refused before the daemon signs anything with them, and files are found
// where systemd (LoadCredential=) or the installer put them.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { loadSecrets, secretWeakness } from "../../src/config/secrets.js";
import { generateCheckpointKeyPem } from "../../src/audit/checkpoint.js";
import type { REQUIRED_SECRETS } from "../../src/config/schema.js";
import { MIN_SECRET_BYTES } from "../../src/config/schema.js";
import { ErrorCodes } from "../../src/core/errors.js";
import { expectVigilAsync } from "../helpers/expect-vigil.js";

const strong = (): string => randomBytes(32).toString("base64url");

void describe("secretWeakness", () => {
  void it("refuses anything shorter than 32 bytes, counting UTF-8 bytes", () => {
    assert.equal(MIN_SECRET_BYTES, 32);
    assert.notEqual(secretWeakness(""), undefined);
    assert.notEqual(secretWeakness(strong().slice(0, 31)), undefined);
    fc.assert(
      fc.property(fc.string({ maxLength: 31, unit: "binary-ascii" }), (s) => {
        assert.notEqual(secretWeakness(s), undefined);
      }),
    );
    // 16 two-byte characters are 32 bytes: long enough (and distinct enough) to pass.
    assert.equal(secretWeakness("äöüßéèêëïîôûçñåø"), undefined);
  });

  void it("refuses known defaults, also repeated to length and in any case", () => {
    const repeatTo = (s: string, n: number): string => s.repeat(Math.ceil(n / s.length)).slice(0, n);
    for (const value of [
      repeatTo("changeme", 40),
      "passwordpasswordpasswordpassword",
      "PASSWORDPASSWORDPASSWORDPASSWORDPASSWORD",
      "SuperSecretSuperSecretSuperSecret",
      repeatTo("change-me", 45),
      "your-secret-hereyour-secret-here",
    ]) {
      assert.ok(Buffer.byteLength(value) >= 32, value);
      assert.notEqual(secretWeakness(value), undefined, value);
    }
  });

  void it("refuses known defaults repeated to a length that is not a whole number of repeats", () => {
    for (const value of [
      "your-secret-here".repeat(3).slice(0, 40),
      "password123".repeat(4).slice(0, 40),
      `${"changeme".repeat(4)}!`,
    ]) {
      assert.notEqual(secretWeakness(value), undefined, value);
    }
  });

  void it("refuses values with too few distinct characters", () => {
    assert.notEqual(secretWeakness("a".repeat(64)), undefined);
    assert.notEqual(secretWeakness("abababababababababababababababababab"), undefined);
    assert.notEqual(secretWeakness("abcdefg".repeat(10)), undefined);
    // Eight distinct characters pass this check, but a repeated pattern is refused on its own.
    assert.equal(secretWeakness("abcdefghijklmnopqrstuvwxyz0123456789"), undefined);
    assert.notEqual(secretWeakness("abcdefgh".repeat(5)), undefined);
  });

  void it("accepts 32+ random bytes encoded as base64url", () => {
    for (let i = 0; i < 200; i++) assert.equal(secretWeakness(strong()), undefined);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 64 }), (bytes) => {
        const value = Buffer.from(bytes).toString("base64url");
        // fast-check also draws degenerate arrays (all zeros gives "AAAA..."); those must be
        // refused for their character set, and everything else accepted.
        const verdict = secretWeakness(value);
        if (new Set(value).size >= 8) assert.equal(verdict, undefined, value);
        else assert.notEqual(verdict, undefined, value);
      }),
    );
  });
});

void describe("loadSecrets", () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), "vigil-secrets-"));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  let n = 0;
  // The real shape of this secret: an Ed25519 private key in PEM, as `vigil init` writes it.
  const CHECKPOINT_KEY = generateCheckpointKeyPem();

  async function secretsDir(values: Partial<Record<(typeof REQUIRED_SECRETS)[number], string>>): Promise<string> {
    const dir = join(root, `d${n++}`);
    await mkdir(dir, { mode: 0o700 });
    for (const [name, value] of Object.entries(values)) await writeFile(join(dir, name), value, { mode: 0o600 });
    return dir;
  }

  void it("loads every required secret, stripping one trailing newline, and freezes the result", async () => {
    const a = strong();
    const b = strong();
    const dir = await secretsDir({
      audit_checkpoint_key: CHECKPOINT_KEY,
      token_signing_key: `${a}\n`,
      audit_hmac_key: `${b}\r\n`,
    });
    const secrets = await loadSecrets(dir, {});
    assert.deepEqual(
      { ...secrets },
      { token_signing_key: a, audit_hmac_key: b, audit_checkpoint_key: CHECKPOINT_KEY.trimEnd() },
    );
    assert.ok(Object.isFrozen(secrets));
  });

  void it("a missing secret file is SECRET_MISSING", async () => {
    const dir = await secretsDir({ audit_checkpoint_key: CHECKPOINT_KEY, token_signing_key: strong() });
    assert.equal(
      (await expectVigilAsync(loadSecrets(dir, {}), ErrorCodes.SECRET_MISSING)).message.includes("audit_hmac_key"),
      true,
    );
    await expectVigilAsync(loadSecrets(dir, {}), ErrorCodes.SECRET_MISSING);
    await expectVigilAsync(loadSecrets(join(root, "no-such-dir"), {}), ErrorCodes.SECRET_MISSING);
  });

  void it("a weak secret is SECRET_WEAK and names which secret", async () => {
    const dir = await secretsDir({
      audit_checkpoint_key: CHECKPOINT_KEY,
      token_signing_key: strong(),
      audit_hmac_key: "changeme".repeat(5),
    });
    const err = await expectVigilAsync(loadSecrets(dir, {}), ErrorCodes.SECRET_WEAK);
    assert.equal(err.details?.secret, "audit_hmac_key");
    const short = await secretsDir({
      audit_checkpoint_key: CHECKPOINT_KEY,
      token_signing_key: "short\n",
      audit_hmac_key: strong(),
    });
    assert.equal(
      (await expectVigilAsync(loadSecrets(short, {}), ErrorCodes.SECRET_WEAK)).details?.secret,
      "token_signing_key",
    );
  });

  void it("$CREDENTIALS_DIRECTORY wins over the configured directory, which serves what it lacks", async () => {
    const configured = await secretsDir({
      audit_checkpoint_key: CHECKPOINT_KEY,
      token_signing_key: "changeme",
      audit_hmac_key: "changeme",
    });
    const a = strong();
    const b = strong();
    const credentials = await secretsDir({
      audit_checkpoint_key: CHECKPOINT_KEY,
      token_signing_key: a,
      audit_hmac_key: b,
    });
    const secrets = await loadSecrets(configured, { CREDENTIALS_DIRECTORY: credentials });
    assert.equal(secrets.token_signing_key, a);
    assert.equal(secrets.audit_hmac_key, b);
    // Files the unit did not load (camera credentials, tokens added later) come from secrets_dir.
    const good = await secretsDir({
      audit_checkpoint_key: CHECKPOINT_KEY,
      token_signing_key: strong(),
      audit_hmac_key: strong(),
    });
    const empty = await secretsDir({});
    await loadSecrets(good, { CREDENTIALS_DIRECTORY: empty });
    // Missing in both is missing.
    await expectVigilAsync(
      loadSecrets(empty, { CREDENTIALS_DIRECTORY: await secretsDir({}) }),
      ErrorCodes.SECRET_MISSING,
    );
    // An empty variable means "not set".
    await loadSecrets(good, { CREDENTIALS_DIRECTORY: "" });
  });
});
