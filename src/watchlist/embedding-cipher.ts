import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { ErrorCodes, VigilError } from "../core/errors.js";
import { keyFor, type WatchlistKeyring } from "./watchlist-keyring.js";

/** An embedding as it is stored: AES-256-GCM ciphertext with the key id, nonce and tag beside it. */
export interface SealedEmbedding {
  readonly kid: string;
  readonly iv: string;
  readonly ct: string;
  readonly tag: string;
}

/**
 * Encrypts an embedding. `aad` binds the ciphertext to where it is stored (person and slot), so
 * a ciphertext copied onto another person's record fails to open instead of making them match.
 */
export function sealEmbedding(ring: WatchlistKeyring, embedding: Float32Array, aad: string): SealedEmbedding {
  const { id, key } = ring.current;
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const plain = Buffer.from(embedding.buffer, embedding.byteOffset, embedding.byteLength);
  const ct = Buffer.concat([cipher.update(plain), cipher.final()]);
  return { kid: id, iv: iv.toString("base64"), ct: ct.toString("base64"), tag: cipher.getAuthTag().toString("base64") };
}

export function openEmbedding(ring: WatchlistKeyring, sealed: SealedEmbedding, aad: string): Float32Array {
  const { key } = keyFor(ring, sealed.kid);
  let plain: Buffer;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(sealed.iv, "base64"), { authTagLength: 16 });
    decipher.setAAD(Buffer.from(aad, "utf8"));
    decipher.setAuthTag(Buffer.from(sealed.tag, "base64"));
    plain = Buffer.concat([decipher.update(Buffer.from(sealed.ct, "base64")), decipher.final()]);
  } catch (err) {
    throw new VigilError(
      ErrorCodes.WATCHLIST_DECRYPT_FAILED,
      `watchlist entry ${aad} does not decrypt with key ${sealed.kid} (wrong key or tampered data)`,
      { cause: err },
    );
  }
  if (plain.length % 4 !== 0)
    throw new VigilError(
      ErrorCodes.WATCHLIST_DECRYPT_FAILED,
      `watchlist entry ${aad} decrypted to ${plain.length} bytes, not float32s`,
    );
  // Copied into its own buffer: a Float32Array view needs 4-byte alignment.
  const out = new Float32Array(plain.length / 4);
  new Uint8Array(out.buffer).set(plain);
  return out;
}
