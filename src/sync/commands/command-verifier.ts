import { createPublicKey, type JsonWebKey } from "node:crypto";
import { readFile } from "node:fs/promises";
import { type Static, Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { compactVerify, createLocalJWKSet, errors as joseErrors, type JWK, type LocalJWKSet } from "jose";
import { type ErrorCode, ErrorCodes, VigilError } from "../../core/errors.js";
import type { Component } from "../../core/lifecycle.js";

/** `commands` in the config file (the lead maps snake_case keys onto this). */
export interface CommandsConfig {
  /** Central's public key: a PEM SPKI public key, one JWK, or a JWKS (keys selected by `kid`). */
  readonly keyFile: string;
  readonly algorithms: readonly string[];
  readonly clockToleranceS: number;
  readonly maxLifetimeS: number;
  /** `<site>/<gateway>`: a command signed for one gateway is refused by every other. */
  readonly audience: string;
}

export const COMMANDS_DEFAULTS = { algorithms: ["EdDSA", "ES256"], clockToleranceS: 30, maxLifetimeS: 600 } as const;

/** Larger than any sane command; refused before it is decoded, so junk costs nothing to drop. */
export const MAX_COMMAND_BYTES = 65_536;

// Signatures only: an HMAC "alg" would make central's verification key a signing key on every box.
const ASYMMETRIC = new Set([
  "EdDSA",
  "Ed25519",
  "ES256",
  "ES384",
  "ES512",
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
]);
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "k"];
const B64URL = /^[A-Za-z0-9_-]*$/;

const CommandPayloadSchema = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 128 }),
  name: Type.String(),
  aud: Type.String({ minLength: 1, maxLength: 200, description: "<site>/<gateway> the command is for" }),
  iat: Type.Number({ description: "seconds since the epoch" }),
  exp: Type.Number({ description: "seconds since the epoch" }),
  args: Type.Object({}),
});

export type CommandPayload = Static<typeof CommandPayloadSchema>;
export interface VerifiedCommand extends CommandPayload {
  readonly alg: string;
}

const refuse = (code: ErrorCode, message: string, cause?: unknown): VigilError =>
  new VigilError(code, message, { cause });

function decodeJson(part: string): unknown {
  return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(part, "base64url")));
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Checks the parts of the token that decide how (and whether) to verify it, before any crypto:
 * this is where "unsigned" is told apart from "badly signed", which jose reports alike.
 */
function readHeader(token: string): { alg: string } {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts.every((p) => B64URL.test(p)) || parts[0] === "") {
    throw refuse(ErrorCodes.COMMAND_MALFORMED, "command is not a compact JWS");
  }
  let header: unknown;
  try {
    header = decodeJson(parts[0] ?? "");
  } catch (err) {
    throw refuse(ErrorCodes.COMMAND_MALFORMED, "command header is not JSON", err);
  }
  if (!isPlainObject(header) || typeof header.alg !== "string")
    throw refuse(ErrorCodes.COMMAND_MALFORMED, "command header has no alg");
  if (header.alg.toLowerCase() === "none" || parts[2] === "")
    throw refuse(ErrorCodes.COMMAND_UNSIGNED, "command is not signed");
  // Extensions change what the signature covers (b64: false); commands have no use for them.
  if ("crit" in header || "b64" in header)
    throw refuse(ErrorCodes.COMMAND_MALFORMED, "command header uses unsupported extensions");
  return { alg: header.alg };
}

/**
 * The id a refused command claims, for its result and audit entry; unverified, so only a short
 * run of printable ASCII is taken, and null otherwise.
 */
export function peekCommandId(token: string): string | null {
  const payload = token.length <= MAX_COMMAND_BYTES ? token.split(".")[1] : undefined;
  if (payload === undefined || !B64URL.test(payload)) return null;
  try {
    const claims = decodeJson(payload);
    const id = isPlainObject(claims) ? claims.id : undefined;
    return typeof id === "string" && /^[\x21-\x7e]{1,128}$/.test(id) ? id : null;
  } catch {
    return null;
  }
}

/** Reads central's key file into a JWKS of public signature keys; anything else is a config error. */
export async function loadCommandKeys(path: string): Promise<{ keys: JWK[] }> {
  const bad = (why: string, cause?: unknown) =>
    new VigilError(ErrorCodes.CONFIG_INVALID, `commands.key_file: ${path}: ${why}`, {
      cause,
      details: { path: "commands.key_file" },
    });
  let text: string;
  try {
    text = (await readFile(path, "utf8")).trim();
  } catch (err) {
    throw bad(`cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, err);
  }
  let keys: unknown[];
  if (text.startsWith("-----BEGIN")) {
    if (!/^-----BEGIN PUBLIC KEY-----/.test(text))
      throw bad("expected a PEM public key (BEGIN PUBLIC KEY); the gateway needs only central's public key");
    try {
      keys = [createPublicKey({ key: text, format: "pem" }).export({ format: "jwk" })];
    } catch (err) {
      throw bad("not a valid PEM public key", err);
    }
  } else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw bad("neither PEM nor JSON", err);
    }
    if (isPlainObject(parsed) && Array.isArray(parsed.keys)) keys = parsed.keys as unknown[];
    else if (isPlainObject(parsed) && typeof parsed.kty === "string") keys = [parsed];
    else throw bad("JSON but neither a JWK nor a JWKS");
  }
  if (keys.length === 0) throw bad("the key set is empty");
  for (const [i, key] of keys.entries()) {
    if (!isPlainObject(key)) throw bad(`key ${i} is not an object`);
    if (key.kty === "oct" || PRIVATE_MEMBERS.some((m) => m in key))
      throw bad(`key ${i} is secret or private; only public keys belong here`);
    try {
      createPublicKey({ key: key as JsonWebKey, format: "jwk" });
    } catch (err) {
      throw bad(`key ${i} is not a usable public key`, err);
    }
  }
  return { keys: keys as JWK[] };
}

/**
 * Verifies commands signed by central: signature with a pinned algorithm and a configured key,
 * then the claims. Every refusal is a VigilError with its own code. Loads the key on start.
 */
export class CommandVerifier implements Component {
  readonly name = "command-verifier";
  private keySet: LocalJWKSet | undefined;
  /** A lone key without a kid is used whatever kid a token names (PEM keys have none). */
  private ignoreKid = false;
  private readonly algorithms: string[];

  constructor(
    private readonly config: CommandsConfig,
    private readonly now: () => number = Date.now,
  ) {
    this.algorithms = [...config.algorithms];
  }

  async start(): Promise<void> {
    const notAllowed = this.algorithms.filter((a) => !ASYMMETRIC.has(a));
    if (this.algorithms.length === 0 || notAllowed.length > 0) {
      throw new VigilError(
        ErrorCodes.CONFIG_INVALID,
        `commands.algorithms: must be public-key JWS algorithms (${[...ASYMMETRIC].join(", ")}); got ${JSON.stringify(this.algorithms)}`,
        {
          details: { path: "commands.algorithms" },
        },
      );
    }
    const jwks = await loadCommandKeys(this.config.keyFile);
    this.ignoreKid = jwks.keys.length === 1 && jwks.keys[0]?.kid === undefined;
    this.keySet = createLocalJWKSet(jwks);
  }

  async stop(): Promise<void> {}

  async verify(name: string, token: string): Promise<VerifiedCommand> {
    const keySet = this.keySet;
    if (!keySet) throw new VigilError(ErrorCodes.INTERNAL, "command verifier used before start");
    if (token.length > MAX_COMMAND_BYTES)
      throw refuse(ErrorCodes.COMMAND_MALFORMED, `command is larger than ${MAX_COMMAND_BYTES} bytes`);
    const { alg } = readHeader(token);
    if (!this.algorithms.includes(alg))
      throw refuse(
        ErrorCodes.COMMAND_ALG_NOT_ALLOWED,
        `command algorithm ${JSON.stringify(alg.slice(0, 32))} is not allowed`,
      );
    const payload = await this.verifySignature(token, keySet);
    let claims: unknown;
    try {
      claims = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payload));
    } catch (err) {
      throw refuse(ErrorCodes.COMMAND_MALFORMED, "command payload is not JSON", err);
    }
    const first = Value.Errors(CommandPayloadSchema, claims).First();
    if (first) throw refuse(ErrorCodes.COMMAND_MALFORMED, `command payload ${first.path || "/"}: ${first.message}`);
    return { ...this.checkClaims(name, claims as CommandPayload), alg };
  }

  private async verifySignature(token: string, keySet: LocalJWKSet): Promise<Uint8Array> {
    const options = { algorithms: this.algorithms };
    const resolve = (header: { alg?: string; kid?: string }) =>
      keySet({ alg: header.alg, kid: this.ignoreKid ? undefined : header.kid });
    try {
      return (await compactVerify(token, resolve, options)).payload;
    } catch (err) {
      // Several keys fit the header (no kid): the signature decides which, if any, made it.
      if (err instanceof joseErrors.JWKSMultipleMatchingKeys) {
        for await (const key of err) {
          const verified = await compactVerify(token, key, options).catch(() => undefined);
          if (verified) return verified.payload;
        }
      }
      const code = (err as { code?: unknown }).code;
      if (code === "ERR_JWS_INVALID")
        throw refuse(ErrorCodes.COMMAND_MALFORMED, "command is not a valid compact JWS", err);
      if (code === "ERR_JOSE_ALG_NOT_ALLOWED")
        throw refuse(ErrorCodes.COMMAND_ALG_NOT_ALLOWED, "command algorithm is not allowed", err);
      // No key for this alg/kid, a key of the wrong type, or a signature that does not verify.
      throw refuse(ErrorCodes.COMMAND_BAD_SIGNATURE, "command signature does not verify with any configured key", err);
    }
  }

  private checkClaims(name: string, claims: CommandPayload): CommandPayload {
    const { clockToleranceS: tolerance, maxLifetimeS } = this.config;
    const nowS = this.now() / 1000;
    const at = (s: number) =>
      Number.isFinite(s * 1000) && Math.abs(s) < 8.64e12 ? new Date(s * 1000).toISOString() : String(s);
    if (claims.name !== name)
      throw refuse(
        ErrorCodes.COMMAND_NAME_MISMATCH,
        `command was signed for "${claims.name.slice(0, 64)}", received on the topic of "${name}"`,
      );
    if (claims.aud !== this.config.audience) {
      throw refuse(
        ErrorCodes.COMMAND_WRONG_AUDIENCE,
        `command is for "${claims.aud.slice(0, 128)}", this gateway is "${this.config.audience}"`,
      );
    }
    if (!(claims.exp > claims.iat)) throw refuse(ErrorCodes.COMMAND_MALFORMED, "command exp is not after its iat");
    if (claims.exp - claims.iat > maxLifetimeS)
      throw refuse(
        ErrorCodes.COMMAND_LIFETIME_TOO_LONG,
        `command lives ${claims.exp - claims.iat} s; at most ${maxLifetimeS} s is accepted`,
      );
    if (claims.iat > nowS + tolerance)
      throw refuse(ErrorCodes.COMMAND_NOT_YET_VALID, `command issued in the future (${at(claims.iat)})`);
    if (claims.exp <= nowS - tolerance)
      throw refuse(ErrorCodes.COMMAND_EXPIRED, `command expired at ${at(claims.exp)}`);
    return claims;
  }
}
