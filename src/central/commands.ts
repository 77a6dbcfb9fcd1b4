import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomUUID,
  type KeyObject,
} from "node:crypto";
import { CompactSign, type JWK } from "jose";
import { connectAsync, type IClientOptions } from "mqtt";
import { canonicalJson } from "../audit/canonical.js";
import type { CommandResult } from "../contract/command.js";
import { baseTopic } from "../contract/topics.js";
import { ErrorCodes, VigilError } from "../core/errors.js";
import { isCommandName, resultTopic } from "../sync/commands/command-topic.js";

/**
 * Central's half of signed commands: the key pair (the gateway's `commands.key_file` holds the
 * public half), a compact JWS per command (EdDSA, audience `<site>/<gateway>`, short expiry, a
 * fresh id), and sending one and waiting for the gateway's `cmd_result` with the same id.
 */

export interface CentralKeyPair {
  readonly privatePem: string;
  readonly publicPem: string;
  readonly publicJwk: JWK;
}

function thumbprint(jwk: { crv?: string; kty?: string; x?: string }): string {
  return createHash("sha256")
    .update(canonicalJson({ crv: jwk.crv, kty: jwk.kty, x: jwk.x }))
    .digest("base64url");
}

function signingKey(privatePem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(privatePem);
  } catch (err) {
    throw new VigilError(ErrorCodes.SECRET_WEAK, "central signing key is not a PKCS8 PEM private key", { cause: err });
  }
  if (key.asymmetricKeyType !== "ed25519")
    throw new VigilError(
      ErrorCodes.SECRET_WEAK,
      `central signing key is ${key.asymmetricKeyType ?? "unknown"}, not Ed25519`,
    );
  return key;
}

export function publicJwkOf(privatePem: string): JWK {
  const { kty, crv, x } = createPublicKey(signingKey(privatePem)).export({ format: "jwk" });
  return { kty, crv, x, alg: "EdDSA", use: "sig", kid: thumbprint({ kty, crv, x }) };
}

export function generateCentralKeyPair(): CentralKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const privatePem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  return {
    privatePem,
    publicPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
    publicJwk: publicJwkOf(privatePem),
  };
}

export interface CommandToSign {
  readonly name: string;
  /** `<site>/<gateway>`: only that gateway accepts it. */
  readonly audience: string;
  readonly args?: Record<string, unknown>;
  /** Seconds until it expires (default 120; gateways refuse more than their `max_lifetime_s`, 600 by default). */
  readonly ttlS?: number;
  readonly id?: string;
  readonly now?: Date;
}

export interface SignedCommand {
  readonly id: string;
  readonly name: string;
  readonly audience: string;
  readonly exp: number;
  readonly token: string;
}

const AUDIENCE = /^[a-z0-9_-]{1,64}\/[a-z0-9_-]{1,64}$/;

export async function signCommand(privatePem: string, command: CommandToSign): Promise<SignedCommand> {
  if (!isCommandName(command.name))
    throw new VigilError(ErrorCodes.VALIDATION, `not a command name: ${JSON.stringify(command.name)}`);
  if (!AUDIENCE.test(command.audience))
    throw new VigilError(
      ErrorCodes.VALIDATION,
      `audience must be <site>/<gateway>, got ${JSON.stringify(command.audience)}`,
    );
  const ttl = command.ttlS ?? 120;
  if (!Number.isSafeInteger(ttl) || ttl < 1 || ttl > 3600)
    throw new VigilError(ErrorCodes.VALIDATION, "ttl must be 1..3600 seconds");
  const key = signingKey(privatePem);
  const iat = Math.floor((command.now ?? new Date()).getTime() / 1000);
  const id = command.id ?? randomUUID();
  const payload = { id, name: command.name, aud: command.audience, iat, exp: iat + ttl, args: command.args ?? {} };
  const token = await new CompactSign(Buffer.from(JSON.stringify(payload), "utf8"))
    .setProtectedHeader({ alg: "EdDSA", kid: publicJwkOf(privatePem).kid })
    .sign(key);
  return { id, name: command.name, audience: command.audience, exp: payload.exp, token };
}

export interface SendOptions {
  readonly broker: string;
  readonly prefix?: string;
  readonly timeoutMs?: number;
  readonly mqtt?: Pick<IClientOptions, "username" | "password" | "ca" | "cert" | "key" | "rejectUnauthorized">;
}

/** Publishes a signed command to its gateway and resolves with the matching `cmd_result`. */
export async function sendCommand(command: SignedCommand, options: SendOptions): Promise<CommandResult> {
  const [site = "", gateway = ""] = command.audience.split("/");
  const base = baseTopic(options.prefix ?? "vigil", site, gateway);
  let client;
  try {
    client = await connectAsync(
      options.broker,
      {
        ...options.mqtt,
        clientId: `vigil-central-send-${randomUUID()}`,
        clean: true,
        reconnectPeriod: 0,
        connectTimeout: 5_000,
      },
      false,
    );
  } catch (err) {
    throw new VigilError(ErrorCodes.BROKER_UNREACHABLE, `cannot reach ${options.broker}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  try {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const result = new Promise<CommandResult>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new VigilError(
              ErrorCodes.COMMAND_RESULT_TIMEOUT,
              `no cmd_result for ${command.id} from ${command.audience} within ${timeoutMs} ms (gateway offline, or it refused the command before reading its id)`,
            ),
          ),
        timeoutMs,
      );
      client.on("message", (_topic, payload) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(payload.toString("utf8"));
        } catch {
          return;
        }
        if (typeof parsed === "object" && parsed !== null && (parsed as CommandResult).id === command.id) {
          clearTimeout(timer);
          resolve(parsed as CommandResult);
        }
      });
    });
    await client.subscribeAsync(resultTopic(base, command.name), { qos: 1 });
    await client.publishAsync(`${base}/cmd/${command.name}`, command.token, { qos: 1 });
    return await result;
  } finally {
    await client.endAsync(true).catch(() => {});
  }
}
