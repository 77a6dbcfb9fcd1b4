// The backup file's pieces that need no store: the sealed secrets (a wrong passphrase, a changed
// byte, a crafted name all fail with a code) and the header and entry checks of the reader.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { openSecrets, type SealedSecrets, sealSecrets } from "../../src/config/sealed-secrets.js";
import { ErrorCodes } from "../../src/core/errors.js";
import { outboxStreamOf, parseEntry, parseHeader, sublevelOf } from "../../src/store/backup-format.js";
import { expectVigil, expectVigilAsync } from "../helpers/expect-vigil.js";

const PASSPHRASE = "correct horse battery staple";

function header(extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    format: "vigil-store-backup",
    version: 1,
    site: "hq",
    gateway: "gw-01",
    created_at: "2025-01-01T00:00:00.000Z",
    vigil_version: "0.1.0",
    counts: { entries: 0, sublevels: {} },
    audit_head: { seq: 0, mac: null },
    outbox_depth: { incidents: 0, audit: 0, alerts: 0 },
    secrets: null,
    ...extra,
  });
}

void describe("sealed secrets", () => {
  const files = new Map([
    ["audit_hmac_key", randomBytes(32)],
    ["lobby.cred", Buffer.from("admin:p\u00e4ss word\n")],
  ]);

  void it("round-trips every byte under the right passphrase, and reveals nothing in the clear", async () => {
    const sealed = await sealSecrets(files, PASSPHRASE);
    assert.deepEqual(await openSecrets(sealed, PASSPHRASE), files);
    assert.ok(!JSON.stringify(sealed).includes("admin:"), "no clear text in the sealed form");
    const again = await sealSecrets(files, PASSPHRASE);
    assert.notEqual(again.salt, sealed.salt, "fresh salt each time");
    assert.notEqual(again.data, sealed.data);
  });

  void it("refuses a wrong passphrase and any changed byte with VIGIL_E_UNAUTHENTICATED", async () => {
    const sealed = await sealSecrets(files, PASSPHRASE);
    await expectVigilAsync(openSecrets(sealed, "correct horse battery stapl"), ErrorCodes.UNAUTHENTICATED);
    const flip = (b64: string): string => {
      const bytes = Buffer.from(b64, "base64url");
      bytes[0] = (bytes[0] ?? 0) ^ 1;
      return bytes.toString("base64url");
    };
    for (const field of ["data", "tag", "iv", "salt"] as const) {
      const changed: SealedSecrets = { ...sealed, [field]: flip(sealed[field]) };
      await expectVigilAsync(openSecrets(changed, PASSPHRASE), ErrorCodes.UNAUTHENTICATED);
    }
  });
});

void describe("backup file format", () => {
  void it("reads a valid header and names a newer version as such", () => {
    assert.equal(parseHeader("f", header()).gateway, "gw-01");
    assert.equal(parseHeader("f", header({ version: 2 })).version, 2, "format 2 carries a MAC trailer");
    const newer = expectVigil(() => parseHeader("f", header({ version: 3 })), ErrorCodes.VALIDATION);
    assert.match(newer.message, /version 3 is newer/);
    expectVigil(() => parseHeader("f", '{"format":"something-else"}'), ErrorCodes.VALIDATION);
    expectVigil(() => parseHeader("f", "not json"), ErrorCodes.VALIDATION);
    expectVigil(() => parseHeader("f", undefined), ErrorCodes.VALIDATION);
    expectVigil(() => parseHeader("f", header({ counts: { entries: -1, sublevels: {} } })), ErrorCodes.VALIDATION);
    // A crafted scrypt cost must not make a restore allocate gigabytes.
    const costly = {
      kdf: "scrypt",
      n: 2 ** 22,
      r: 8,
      p: 1,
      salt: "A".repeat(22),
      cipher: "aes-256-gcm",
      iv: "A".repeat(16),
      tag: "A".repeat(22),
      data: "",
    };
    expectVigil(() => parseHeader("f", header({ secrets: costly })), ErrorCodes.VALIDATION);
  });

  void it("reads entries as [key, value] and nothing else", () => {
    assert.deepEqual(parseEntry("f", '["!audit!0000000000000001",{"seq":1}]', 2), [
      "!audit!0000000000000001",
      { seq: 1 },
    ]);
    for (const bad of ["{}", '["k"]', "[1,{}]", '["",{}]', '["k",null]', '["k",{},3]', "[", ""]) {
      const err = expectVigil(() => parseEntry("f", bad, 7), ErrorCodes.VALIDATION);
      assert.match(err.message, /line 7/);
    }
  });

  void it("tells the sublevel and outbox stream of a root key", () => {
    assert.equal(sublevelOf("!outbox!alerts!0000000000000042"), "outbox");
    assert.equal(sublevelOf("!audit!0000000000000001"), "audit");
    assert.equal(sublevelOf("plain"), "");
    assert.equal(outboxStreamOf("!outbox!alerts!0000000000000042"), "alerts");
    assert.equal(outboxStreamOf("!audit!0000000000000001"), undefined);
  });
});
