import { createPrivateKey, webcrypto } from "node:crypto";
import { ErrorCodes, VigilError } from "../../core/errors.js";

/**
 * Key pairs for the site CA and the certificates it issues: ECDSA P-256, which every TLS stack
 * of the last decade (cameras included) speaks, with small keys and fast handshakes on the box.
 * Private keys leave this module only as PKCS#8 PEM, on their way into a 0600 file.
 */

export const KEY_ALGORITHM = { name: "ECDSA", namedCurve: "P-256" } as const;
export const SIGNING_ALGORITHM = { name: "ECDSA", hash: "SHA-256" } as const;

const CURVES: Readonly<Record<string, string>> = { prime256v1: "P-256", secp384r1: "P-384" };

export async function generateKeyPair(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ["sign", "verify"]);
}

export async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", key));
  try {
    return createPrivateKey({ key: der, format: "der", type: "pkcs8" })
      .export({ format: "pem", type: "pkcs8" })
      .toString();
  } finally {
    der.fill(0);
  }
}

/** The CA's signing key from its PEM file; `where` names the file in errors, never the key. */
export async function importSigningKey(
  pem: string,
  where: string,
): Promise<{ key: webcrypto.CryptoKey; algorithm: { name: "ECDSA"; hash: string } }> {
  let curve: string | undefined;
  let der: Buffer;
  try {
    const keyObject = createPrivateKey(pem);
    curve = keyObject.asymmetricKeyType === "ec" ? CURVES[keyObject.asymmetricKeyDetails?.namedCurve ?? ""] : undefined;
    der = keyObject.export({ format: "der", type: "pkcs8" });
  } catch (err) {
    throw new VigilError(ErrorCodes.PKI_FAILED, `${where} is not a readable private key`, { cause: err });
  }
  if (curve === undefined) throw new VigilError(ErrorCodes.PKI_FAILED, `${where} is not an ECDSA P-256 or P-384 key`);
  try {
    const key = await webcrypto.subtle.importKey("pkcs8", der, { name: "ECDSA", namedCurve: curve }, false, ["sign"]);
    return { key, algorithm: { name: "ECDSA", hash: curve === "P-384" ? "SHA-384" : "SHA-256" } };
  } finally {
    der.fill(0);
  }
}
