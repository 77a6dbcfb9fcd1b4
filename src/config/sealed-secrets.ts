import { createCipheriv, createDecipheriv, randomBytes, scrypt } from "node:crypto";
import { type Static, Type } from "@sinclair/typebox";
import { ErrorCodes, VigilError } from "../core/errors.js";

/**
 * The secrets files sealed under a passphrase, for a backup that may leave the box: scrypt derives
 * the key (memory-hard, so a stolen backup is expensive to guess at), AES-256-GCM encrypts and
 * authenticates. The parameters travel with the data so they can be raised later without breaking
 * old backups.
 */
export const SealedSecretsSchema = Type.Object({
  kdf: Type.Literal("scrypt"),
  // Bounded, so that a crafted header cannot make a restore allocate gigabytes (128 * n * r bytes).
  n: Type.Integer({ minimum: 2 ** 14, maximum: 2 ** 18 }),
  r: Type.Integer({ minimum: 1, maximum: 8 }),
  p: Type.Integer({ minimum: 1, maximum: 4 }),
  salt: Type.String({ pattern: "^[A-Za-z0-9_-]{22,}$" }),
  cipher: Type.Literal("aes-256-gcm"),
  iv: Type.String({ pattern: "^[A-Za-z0-9_-]{16}$" }),
  tag: Type.String({ pattern: "^[A-Za-z0-9_-]{22}$" }),
  data: Type.String({ maxLength: 128 * 1024 }),
});
export type SealedSecrets = Static<typeof SealedSecretsSchema>;

/** 2^17 * 8 * 128 bytes = 128 MiB and about half a second: fine once per backup, costly per guess. */
const DEFAULT_COST = { n: 2 ** 17, r: 8, p: 1 } as const;
/** Binds the ciphertext to its purpose, so it cannot be passed off as some other sealed blob. */
const AAD = Buffer.from("vigil-backup-secrets/1");
/** A secrets file name as `vigil init` and camera credentials_file use them; nothing with a path in it. */
const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

export type SecretFiles = ReadonlyMap<string, Buffer>;

function deriveKey(passphrase: string, salt: Buffer, cost: { n: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // scrypt needs 128 * N * r bytes; Node refuses above maxmem (32 MiB by default).
    scrypt(
      passphrase.normalize("NFC"),
      salt,
      32,
      { N: cost.n, r: cost.r, p: cost.p, maxmem: 256 * cost.n * cost.r },
      (err, key) => (err ? reject(err) : resolve(key)),
    );
  });
}

export function isSecretFileName(name: string): boolean {
  return FILE_NAME.test(name);
}

export async function sealSecrets(files: SecretFiles, passphrase: string): Promise<SealedSecrets> {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const key = await deriveKey(passphrase, salt, DEFAULT_COST);
  const plain = Buffer.from(
    JSON.stringify({ files: Object.fromEntries([...files].map(([name, bytes]) => [name, bytes.toString("base64")])) }),
    "utf8",
  );
  const cipher = createCipheriv("aes-256-gcm", key, iv).setAAD(AAD);
  const data = Buffer.concat([cipher.update(plain), cipher.final()]);
  return {
    kdf: "scrypt",
    ...DEFAULT_COST,
    salt: salt.toString("base64url"),
    cipher: "aes-256-gcm",
    iv: iv.toString("base64url"),
    tag: cipher.getAuthTag().toString("base64url"),
    data: data.toString("base64url"),
  };
}

/** The files back; a wrong passphrase and a changed byte fail alike (GCM cannot tell them apart). */
export async function openSecrets(sealed: SealedSecrets, passphrase: string): Promise<SecretFiles> {
  const key = await deriveKey(passphrase, Buffer.from(sealed.salt, "base64url"), sealed);
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(sealed.iv, "base64url"), {
    authTagLength: 16,
  }).setAAD(AAD);
  decipher.setAuthTag(Buffer.from(sealed.tag, "base64url"));
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(Buffer.from(sealed.data, "base64url")), decipher.final()]);
  } catch {
    throw new VigilError(
      ErrorCodes.UNAUTHENTICATED,
      "the passphrase does not open the secrets in this backup (wrong passphrase, or the file was changed)",
      {
        details: { field: "passphrase" },
      },
    );
  }
  const parsed = JSON.parse(plain.toString("utf8")) as { files?: Record<string, unknown> };
  const files = new Map<string, Buffer>();
  for (const [name, b64] of Object.entries(parsed.files ?? {})) {
    // Authenticated, so written by Vigil; still, a name is never allowed to climb out of secrets_dir.
    if (!isSecretFileName(name) || typeof b64 !== "string")
      throw new VigilError(
        ErrorCodes.VALIDATION,
        `the backup names a secrets file "${name}" that Vigil would not write`,
      );
    files.set(name, Buffer.from(b64, "base64"));
  }
  return files;
}
