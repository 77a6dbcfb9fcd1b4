import { createHash, randomBytes } from "node:crypto";

/**
 * The API key a camera presents: `vk_<keyId>_<secret>`. The prefix makes a leaked key easy to
 * recognise (secret scanners, logs); the key id is public and names the stored record; the secret
 * is 256 random bits that only the camera ever holds. Pure apart from the random source.
 */
export const API_KEY_PREFIX = "vk";

/** RFC 4648 base32 in lower case: no `_`, so the id never blurs into the separators. */
const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
export const KEY_ID_LENGTH = 16;
export const SECRET_BYTES = 32;
/** 32 bytes in unpadded base64url. */
export const SECRET_LENGTH = 43;
export const API_KEY_LENGTH = API_KEY_PREFIX.length + 1 + KEY_ID_LENGTH + 1 + SECRET_LENGTH;

export const KEY_ID_PATTERN = `^[a-z2-7]{${KEY_ID_LENGTH}}$`;
// The secret may itself contain `_`, so the shape is fixed by length rather than split on `_`. Its
// last character carries only 4 of the 256 bits; the remaining 2 must be zero, which leaves 16
// characters, so every accepted secret decodes to exactly the bytes it re-encodes from.
const API_KEY_RE = new RegExp(
  `^${API_KEY_PREFIX}_([a-z2-7]{${KEY_ID_LENGTH}})_([A-Za-z0-9_-]{${SECRET_LENGTH - 1}}[AEIMQUYcgkosw048])$`,
);
const KEY_ID_RE = new RegExp(KEY_ID_PATTERN);

export interface ApiKeyParts {
  readonly keyId: string;
  /** The base64url secret as it appears in the key. */
  readonly secret: string;
}

export interface GeneratedApiKey extends ApiKeyParts {
  /** The whole key: shown to the admin once, never stored. */
  readonly plaintext: string;
  /** What is stored instead of it. */
  readonly digest: string;
}

export type RandomSource = (size: number) => Buffer;

export function isKeyId(value: unknown): value is string {
  return typeof value === "string" && KEY_ID_RE.test(value);
}

function newKeyId(random: RandomSource): string {
  // 256 is a multiple of 32, so masking each byte keeps the characters uniform.
  return Array.from(random(KEY_ID_LENGTH), (byte) => ID_ALPHABET[byte & 31]).join("");
}

export function formatApiKey(parts: ApiKeyParts): string {
  return `${API_KEY_PREFIX}_${parts.keyId}_${parts.secret}`;
}

/** The key's parts, or undefined for anything that is not exactly a well-formed key. Never throws. */
export function parseApiKey(presented: unknown): ApiKeyParts | undefined {
  if (typeof presented !== "string" || presented.length !== API_KEY_LENGTH) return undefined;
  const m = API_KEY_RE.exec(presented);
  if (!m?.[1] || !m[2]) return undefined;
  return { keyId: m[1], secret: m[2] };
}

/** SHA-256 of the whole key, hex. A 256-bit random secret needs no salt or slow hash. */
export function digestApiKey(plaintext: string): string {
  return createHash("sha256").update(plaintext, "utf8").digest("hex");
}

export function generateApiKey(random: RandomSource = randomBytes): GeneratedApiKey {
  const keyId = newKeyId(random);
  const secret = random(SECRET_BYTES).toString("base64url");
  const plaintext = formatApiKey({ keyId, secret });
  return { keyId, secret, plaintext, digest: digestApiKey(plaintext) };
}
