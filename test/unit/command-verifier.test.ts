// Signed commands from central: which tokens are accepted, and the distinct code of each refusal.
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { CompactSign, type CryptoKey, FlattenedSign, exportJWK, exportSPKI, generateKeyPair, type JWK } from "jose";
import { type ErrorCode, ErrorCodes, isVigilError } from "../../src/core/errors.js";
import {
  type CommandsConfig,
  COMMANDS_DEFAULTS,
  CommandVerifier,
  MAX_COMMAND_BYTES,
  peekCommandId,
} from "../../src/sync/commands/command-verifier.js";

const NOW_MS = 1_700_000_000_000;
const NOW = NOW_MS / 1000;
const b64 = (value: unknown): string =>
  Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

interface Claims {
  id?: unknown;
  name?: unknown;
  iat?: unknown;
  exp?: unknown;
  args?: unknown;
  [extra: string]: unknown;
}
const AUD = "hq/gw-01";
const claims = (over: Claims = {}): Claims => ({
  id: "cmd-1",
  name: "ping",
  aud: AUD,
  iat: NOW,
  exp: NOW + 60,
  args: { verbose: true },
  ...over,
});

async function sign(
  key: CryptoKey | Uint8Array,
  payload: unknown,
  header: Record<string, unknown> = { alg: "EdDSA" },
): Promise<string> {
  const bytes = new TextEncoder().encode(typeof payload === "string" ? payload : JSON.stringify(payload));
  return new CompactSign(bytes).setProtectedHeader({ alg: "EdDSA", ...header }).sign(key);
}

/** The code a verification is refused with, or "accepted". */
async function outcome(verifier: CommandVerifier, name: string, token: string): Promise<string> {
  try {
    await verifier.verify(name, token);
    return "accepted";
  } catch (err) {
    assert.ok(isVigilError(err), `not a VigilError: ${String(err)}`);
    return err.code;
  }
}

void describe("CommandVerifier", () => {
  let dir: string;
  type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;
  let ed: KeyPair;
  let ed2: KeyPair;
  let ec: KeyPair;
  let files: { pem: string; jwk: string; jwks: string; jwksNoKid: string };
  const make = async (keyFile: string, over: Partial<CommandsConfig> = {}): Promise<CommandVerifier> => {
    const v = new CommandVerifier({ keyFile, ...COMMANDS_DEFAULTS, audience: AUD, ...over }, () => NOW_MS);
    await v.start();
    return v;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "vigil-cmdkeys-"));
    ed = await generateKeyPair("EdDSA", { extractable: true });
    ed2 = await generateKeyPair("EdDSA", { extractable: true });
    ec = await generateKeyPair("ES256", { extractable: true });
    const jwk = async (k: CryptoKey, extra: Partial<JWK> = {}): Promise<JWK> => ({ ...(await exportJWK(k)), ...extra });
    files = {
      pem: join(dir, "central.pem"),
      jwk: join(dir, "central.jwk"),
      jwks: join(dir, "central.jwks"),
      jwksNoKid: join(dir, "nokid.jwks"),
    };
    await writeFile(files.pem, await exportSPKI(ed.publicKey));
    await writeFile(files.jwk, JSON.stringify(await jwk(ec.publicKey)));
    await writeFile(
      files.jwks,
      JSON.stringify({
        keys: [
          await jwk(ed.publicKey, { kid: "ed-1" }),
          await jwk(ed2.publicKey, { kid: "ed-2" }),
          await jwk(ec.publicKey, { kid: "ec-1" }),
        ],
      }),
    );
    await writeFile(files.jwksNoKid, JSON.stringify({ keys: [await jwk(ed2.publicKey), await jwk(ed.publicKey)] }));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  void it("accepts a valid command with the key as PEM, as a JWK and from a JWKS by kid", async () => {
    const pem = await make(files.pem);
    const cmd = await pem.verify("ping", await sign(ed.privateKey, claims()));
    assert.deepEqual(cmd, {
      id: "cmd-1",
      name: "ping",
      aud: AUD,
      iat: NOW,
      exp: NOW + 60,
      args: { verbose: true },
      alg: "EdDSA",
    });
    // A lone key without a kid is central's key whatever kid the token names.
    assert.equal(await outcome(pem, "ping", await sign(ed.privateKey, claims(), { kid: "anything" })), "accepted");

    const jwk = await make(files.jwk);
    assert.equal(await outcome(jwk, "ping", await sign(ec.privateKey, claims(), { alg: "ES256" })), "accepted");

    const set = await make(files.jwks);
    assert.equal(await outcome(set, "ping", await sign(ed.privateKey, claims(), { kid: "ed-1" })), "accepted");
    assert.equal(await outcome(set, "ping", await sign(ed2.privateKey, claims(), { kid: "ed-2" })), "accepted");
    assert.equal(
      await outcome(set, "ping", await sign(ec.privateKey, claims(), { alg: "ES256", kid: "ec-1" })),
      "accepted",
    );
    // Several keys fit a token without a kid: the one that made the signature wins.
    assert.equal(await outcome(set, "ping", await sign(ed2.privateKey, claims())), "accepted");
    const noKid = await make(files.jwksNoKid);
    assert.equal(await outcome(noKid, "ping", await sign(ed.privateKey, claims())), "accepted");
    assert.equal(
      await outcome(noKid, "ping", await sign(ec.privateKey, claims(), { alg: "ES256" })),
      ErrorCodes.COMMAND_BAD_SIGNATURE,
    );
    // Only a lone key is exempt from kid matching; in a set, a kid must name a key.
    assert.equal(
      await outcome(noKid, "ping", await sign(ed.privateKey, claims(), { kid: "ed-1" })),
      ErrorCodes.COMMAND_BAD_SIGNATURE,
    );
  });

  void it("refuses unsigned commands: alg none, or no signature", async () => {
    const v = await make(files.pem);
    for (const alg of ["none", "None", "NONE"]) {
      assert.equal(await outcome(v, "ping", `${b64({ alg })}.${b64(claims())}.`), ErrorCodes.COMMAND_UNSIGNED, alg);
    }
    const signed = await sign(ed.privateKey, claims());
    assert.equal(await outcome(v, "ping", signed.slice(0, signed.lastIndexOf(".") + 1)), ErrorCodes.COMMAND_UNSIGNED);
  });

  void it("refuses a signature by another key, an unknown kid and a tampered payload as a bad signature", async () => {
    const pem = await make(files.pem);
    assert.equal(await outcome(pem, "ping", await sign(ed2.privateKey, claims())), ErrorCodes.COMMAND_BAD_SIGNATURE);
    // An allowed algorithm the configured key cannot do.
    assert.equal(
      await outcome(pem, "ping", await sign(ec.privateKey, claims(), { alg: "ES256" })),
      ErrorCodes.COMMAND_BAD_SIGNATURE,
    );
    const set = await make(files.jwks);
    assert.equal(
      await outcome(set, "ping", await sign(ed.privateKey, claims(), { kid: "ed-9" })),
      ErrorCodes.COMMAND_BAD_SIGNATURE,
    );
    assert.equal(
      await outcome(set, "ping", await sign(ed.privateKey, claims(), { kid: "ed-2" })),
      ErrorCodes.COMMAND_BAD_SIGNATURE,
    );
    const [h, , s] = (await sign(ed.privateKey, claims())).split(".");
    assert.equal(
      await outcome(pem, "ping", `${h}.${b64(claims({ args: { verbose: false } }))}.${s}`),
      ErrorCodes.COMMAND_BAD_SIGNATURE,
    );
  });

  void it("refuses algorithms that are not pinned: HS256 with a secret, RS256, and ES256 when only EdDSA is allowed", async () => {
    const v = await make(files.jwks);
    const secret = new TextEncoder().encode("a-shared-secret-that-is-32-bytes!");
    assert.equal(
      await outcome(v, "ping", await sign(secret, claims(), { alg: "HS256" })),
      ErrorCodes.COMMAND_ALG_NOT_ALLOWED,
    );
    const rsa = await generateKeyPair("RS256");
    assert.equal(
      await outcome(v, "ping", await sign(rsa.privateKey, claims(), { alg: "RS256" })),
      ErrorCodes.COMMAND_ALG_NOT_ALLOWED,
    );
    const edOnly = await make(files.jwks, { algorithms: ["EdDSA"] });
    assert.equal(
      await outcome(edOnly, "ping", await sign(ec.privateKey, claims(), { alg: "ES256", kid: "ec-1" })),
      ErrorCodes.COMMAND_ALG_NOT_ALLOWED,
    );
  });

  void it("checks exp, iat and lifetime against the clock with the configured tolerance", async () => {
    const v = await make(files.pem);
    const at = async (c: Claims) => outcome(v, "ping", await sign(ed.privateKey, claims(c)));
    assert.equal(await at({ iat: NOW - 120, exp: NOW - 31 }), ErrorCodes.COMMAND_EXPIRED);
    assert.equal(await at({ iat: NOW - 120, exp: NOW - 30 }), ErrorCodes.COMMAND_EXPIRED);
    assert.equal(await at({ iat: NOW - 120, exp: NOW - 29 }), "accepted");
    assert.equal(await at({ iat: NOW + 31, exp: NOW + 90 }), ErrorCodes.COMMAND_NOT_YET_VALID);
    assert.equal(await at({ iat: NOW + 29, exp: NOW + 90 }), "accepted");
    assert.equal(await at({ iat: NOW, exp: NOW + 601 }), ErrorCodes.COMMAND_LIFETIME_TOO_LONG);
    assert.equal(await at({ iat: NOW, exp: NOW + 600 }), "accepted");
    assert.equal(await at({ iat: NOW, exp: NOW }), ErrorCodes.COMMAND_MALFORMED);
    assert.equal(await at({ iat: NOW + 10, exp: NOW }), ErrorCodes.COMMAND_MALFORMED);
    // Milliseconds by mistake: a lifetime of centuries, refused rather than trusted.
    assert.equal(await at({ iat: NOW_MS, exp: NOW_MS + 60_000 }), ErrorCodes.COMMAND_LIFETIME_TOO_LONG);
    const strict = await make(files.pem, { clockToleranceS: 0, maxLifetimeS: 60 });
    assert.equal(
      await outcome(strict, "ping", await sign(ed.privateKey, claims({ iat: NOW - 60, exp: NOW }))),
      ErrorCodes.COMMAND_EXPIRED,
    );
    assert.equal(
      await outcome(strict, "ping", await sign(ed.privateKey, claims({ iat: NOW, exp: NOW + 61 }))),
      ErrorCodes.COMMAND_LIFETIME_TOO_LONG,
    );
  });

  void it("refuses a command signed for another name", async () => {
    const v = await make(files.pem);
    assert.equal(
      await outcome(v, "watchlist.remove", await sign(ed.privateKey, claims({ name: "watchlist.add" }))),
      ErrorCodes.COMMAND_NAME_MISMATCH,
    );
  });

  void it("refuses a command signed for another gateway, or with no audience", async () => {
    const v = await make(files.pem);
    assert.equal(
      await outcome(v, "ping", await sign(ed.privateKey, claims({ aud: "hq/gw-02" }))),
      ErrorCodes.COMMAND_WRONG_AUDIENCE,
    );
    assert.equal(
      await outcome(v, "ping", await sign(ed.privateKey, claims({ aud: undefined }))),
      ErrorCodes.COMMAND_MALFORMED,
    );
  });

  void it("refuses strings that are not a compact JWS, and signed payloads that are not a command", async () => {
    const v = await make(files.pem);
    const good = await sign(ed.privateKey, claims());
    const malformed = [
      "",
      "abc",
      "a.b",
      "a.b.c.d",
      "!!.!!.!!",
      `.${b64(claims())}.c2ln`,
      `${b64("not json")}.${b64(claims())}.c2ln`,
      `${b64([1])}.${b64(claims())}.c2ln`,
    ];
    malformed.push(
      `${b64({ typ: "JWT" })}.${b64(claims())}.c2ln`,
      `${b64({ alg: 5 })}.${b64(claims())}.c2ln`,
      `${good} `.replace(" ", "="),
      `${good}.`,
    );
    // Extensions that change what the signature covers are refused, even when correctly signed.
    const unencoded = await new FlattenedSign(new TextEncoder().encode("abc"))
      .setProtectedHeader({ alg: "EdDSA", b64: false, crit: ["b64"] })
      .sign(ed.privateKey);
    malformed.push(
      `${unencoded.protected}.abc.${unencoded.signature}`,
      `${b64({ alg: "EdDSA", crit: ["x-vigil"], "x-vigil": 1 })}.${b64(claims())}.c2ln`,
    );
    malformed.push("x".repeat(MAX_COMMAND_BYTES + 1));
    // Base64url that only a strict decoder refuses (a lone trailing character).
    const [h, p] = good.split(".");
    malformed.push(`${h}.${p}.A`, `${h}A.${p}.${good.split(".")[2]}`);
    for (const token of malformed)
      assert.equal(await outcome(v, "ping", token), ErrorCodes.COMMAND_MALFORMED, JSON.stringify(token.slice(0, 80)));
    for (const payload of ["not json", "[1,2]", "null", '"ping"', "\u00ff"]) {
      assert.equal(await outcome(v, "ping", await sign(ed.privateKey, payload)), ErrorCodes.COMMAND_MALFORMED, payload);
    }
  });

  void it("refuses payloads with a field missing or of the wrong shape", async () => {
    const v = await make(files.pem);
    for (const field of ["id", "name", "iat", "exp", "args"]) {
      const c = claims();
      delete c[field];
      assert.equal(
        await outcome(v, "ping", await sign(ed.privateKey, c)),
        ErrorCodes.COMMAND_MALFORMED,
        `without ${field}`,
      );
    }
    const wrong: Claims[] = [
      { id: "" },
      { id: "x".repeat(129) },
      { id: 7 },
      { iat: String(NOW) },
      { exp: null },
      { args: [] },
      { args: "x" },
      { args: null },
      { name: 1 },
    ];
    for (const c of wrong)
      assert.equal(
        await outcome(v, "ping", await sign(ed.privateKey, claims(c))),
        ErrorCodes.COMMAND_MALFORMED,
        JSON.stringify(c),
      );
    assert.equal(
      await outcome(
        v,
        "ping",
        await sign(ed.privateKey, claims({ id: "x".repeat(128), jti: "extra claims are fine" })),
      ),
      "accepted",
    );
  });

  void it("never accepts, and never fails with anything but a command code, on arbitrary input", async () => {
    const v = await make(files.pem);
    const codes = new Set<string>([
      ErrorCodes.COMMAND_MALFORMED,
      ErrorCodes.COMMAND_UNSIGNED,
      ErrorCodes.COMMAND_BAD_SIGNATURE,
      ErrorCodes.COMMAND_ALG_NOT_ALLOWED,
    ]);
    const part = fc.oneof(
      fc.base64String().map((s) => s.replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_")),
      fc.string({ maxLength: 40 }),
    );
    const header = fc.oneof(
      part,
      fc.jsonValue().map(b64),
      fc.record({ alg: fc.constantFrom("EdDSA", "ES256", "none", "HS256", "RS256") }, { requiredKeys: [] }).map(b64),
    );
    const token = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.tuple(header, fc.oneof(part, fc.constant(b64(claims()))), part).map((p) => p.join(".")),
    );
    await fc.assert(
      fc.asyncProperty(token, async (t) => {
        const code = await outcome(v, "ping", t);
        assert.ok(codes.has(code), `${t} -> ${code}`);
      }),
      { numRuns: 300 },
    );
  });

  void it("peekCommandId reads the claimed id of a refused command, and only a plain one", async () => {
    assert.equal(peekCommandId(`${b64({ alg: "none" })}.${b64(claims({ id: "abc-123" }))}.`), "abc-123");
    assert.equal(peekCommandId(await sign(ed2.privateKey, claims({ id: "x" }))), "x");
    for (const t of [
      "",
      "garbage",
      "a.!!.c",
      `a.${b64("nope")}.c`,
      `a.${b64({ id: 5 })}.c`,
      `a.${b64({ id: "line\nbreak" })}.c`,
      `a.${b64({ id: "x".repeat(129) })}.c`,
      `a.${b64([1])}.c`,
    ]) {
      assert.equal(peekCommandId(t), null, t);
    }
  });

  void it("refuses at start a key file that is missing, private, secret or not a key, and non-signature algorithms", async () => {
    const write = async (name: string, text: string) => {
      const path = join(dir, name);
      await writeFile(path, text);
      return path;
    };
    const { privateKey: pkcs8 } = generateKeyPairSync("ed25519", {
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    const privateJwk = await exportJWK(ed.privateKey);
    const bad = [
      join(dir, "missing.pem"),
      await write("private.pem", pkcs8),
      await write("private.jwk", JSON.stringify(privateJwk)),
      await write("private.jwks", JSON.stringify({ keys: [privateJwk] })),
      await write("secret.jwk", JSON.stringify({ kty: "oct", k: b64("a-shared-secret-that-is-32-bytes!") })),
      await write("empty.jwks", JSON.stringify({ keys: [] })),
      await write("junk.jwk", JSON.stringify({ kty: "EC", crv: "P-256", x: "AA", y: "AA" })),
      await write("junk.pem", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"),
      await write("junk.txt", "hello"),
      await write("junk.json", JSON.stringify({ hello: 1 })),
    ];
    for (const keyFile of bad) {
      await assert.rejects(make(keyFile), (err) => isVigilError(err, ErrorCodes.CONFIG_INVALID), keyFile);
    }
    for (const algorithms of [[], ["HS256"], ["EdDSA", "none"]]) {
      await assert.rejects(
        make(files.pem, { algorithms }),
        (err) => isVigilError(err, ErrorCodes.CONFIG_INVALID),
        JSON.stringify(algorithms),
      );
    }
    const unstarted = new CommandVerifier({ keyFile: files.pem, ...COMMANDS_DEFAULTS, audience: AUD });
    assert.equal(
      await outcome(unstarted, "ping", await sign(ed.privateKey, claims())),
      ErrorCodes.INTERNAL satisfies ErrorCode,
    );
  });
});
