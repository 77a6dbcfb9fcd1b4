import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, webcrypto } from "node:crypto";
import type { Component } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import { ErrorCodes, VigilError } from "../core/errors.js";
import type { Database } from "../store/database.js";
import type { GroupCommit } from "../store/group-commit.js";

interface StoredKey {
  readonly kid: string;
  /** Strictly increasing: the newest key signs. Two rotations can share a millisecond. */
  readonly generation: number;
  readonly created_at: string;
  /** AES-256-GCM of the 32-byte HMAC key under the wrapping key; base64url. */
  readonly iv: string;
  readonly tag: string;
  readonly wrapped: string;
}

export interface SigningKey {
  readonly kid: string;
  readonly generation: number;
  readonly key: Uint8Array;
  readonly createdAt: string;
}

/** A ring key with its WebCrypto handle, imported once rather than on every token. */
export interface LoadedKey extends SigningKey {
  readonly cryptoKey: webcrypto.CryptoKey;
}

function load(key: SigningKey): Promise<LoadedKey> {
  return webcrypto.subtle
    .importKey("raw", key.key, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"])
    .then((cryptoKey) => ({ ...key, cryptoKey }));
}

/** Keys accepted for verification: the current one and the one before it. */
const ACCEPTED = 2;

/**
 * The access-token signing key ring. Keys live in the store wrapped (AES-256-GCM) under a key derived
 * from the `token_signing_key` secret: a copied database alone cannot mint tokens, and rotation
 * (`vigil keys rotate`) needs no write access to the secrets directory, which systemd keeps
 * read-only. Tokens are signed with the newest key and verified with the newest two, so a rotation
 * logs nobody out; a second rotation retires the oldest key and every token it signed.
 */
export class TokenKeyRing implements Component {
  readonly name = "token-keyring";
  private keys: LoadedKey[] = [];
  private readonly wrappingKey: Buffer;

  constructor(
    private readonly database: Database,
    private readonly commits: GroupCommit,
    secret: string,
    private readonly log: Logger,
  ) {
    this.wrappingKey = Buffer.from(
      hkdfSync("sha256", Buffer.from(secret, "utf8"), Buffer.alloc(0), "vigil token key ring v1", 32),
    );
  }

  async start(): Promise<void> {
    const stored = (await this.database.sublevels.keyring.values().all()) as StoredKey[];
    const usable: SigningKey[] = [];
    const unusable: string[] = [];
    for (const s of stored) {
      const key = this.unwrap(s);
      if (key) usable.push(key);
      else unusable.push(s.kid);
    }
    if (unusable.length > 0) {
      // The secret was replaced: these keys are gone for good, and every token they signed with them.
      this.log.warn(
        { kids: unusable },
        "token keys that the configured token_signing_key cannot unwrap are discarded; operators must log in again",
      );
      await this.commits.commit(
        unusable.map((kid) => ({ type: "del" as const, sublevel: this.database.sublevels.keyring, key: kid })),
      );
    }
    this.keys = await Promise.all(usable.sort((a, b) => b.generation - a.generation).map(load));
    if (this.keys.length === 0) await this.rotate();
  }

  async stop(): Promise<void> {}

  get current(): LoadedKey {
    const key = this.keys[0];
    if (!key) throw new VigilError(ErrorCodes.SHUTTING_DOWN, "token key ring is not loaded");
    return key;
  }

  /** The verification key for a token's `kid`, if it is still accepted. */
  find(kid: string | undefined): LoadedKey | undefined {
    return kid === undefined ? undefined : this.keys.slice(0, ACCEPTED).find((k) => k.kid === kid);
  }

  list(): Array<{ kid: string; created_at: string; state: "signing" | "verify-only" }> {
    return this.keys.map((k, i) => ({
      kid: k.kid,
      created_at: k.createdAt,
      state: i === 0 ? "signing" : "verify-only",
    }));
  }

  /** Adds a new signing key and deletes those that fall out of the accepted window. */
  async rotate(now = new Date()): Promise<SigningKey> {
    const fresh: SigningKey = {
      kid: randomBytes(8).toString("hex"),
      generation: (this.keys[0]?.generation ?? 0) + 1,
      key: randomBytes(32),
      createdAt: now.toISOString(),
    };
    const next = [fresh, ...this.keys];
    const retired = next.slice(ACCEPTED);
    const sub = this.database.sublevels.keyring;
    await this.commits.commit([
      { type: "put", sublevel: sub, key: fresh.kid, value: this.wrap(fresh) },
      ...retired.map((k) => ({ type: "del" as const, sublevel: sub, key: k.kid })),
    ]);
    this.keys = [await load(fresh), ...this.keys].slice(0, ACCEPTED);
    return fresh;
  }

  private wrap(k: SigningKey): StoredKey {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.wrappingKey, iv);
    cipher.setAAD(Buffer.from(k.kid));
    const wrapped = Buffer.concat([cipher.update(k.key), cipher.final()]);
    return {
      kid: k.kid,
      generation: k.generation,
      created_at: k.createdAt,
      iv: iv.toString("base64url"),
      tag: cipher.getAuthTag().toString("base64url"),
      wrapped: wrapped.toString("base64url"),
    };
  }

  private unwrap(s: StoredKey): SigningKey | undefined {
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.wrappingKey, Buffer.from(s.iv, "base64url"), {
        authTagLength: 16,
      });
      decipher.setAAD(Buffer.from(s.kid));
      decipher.setAuthTag(Buffer.from(s.tag, "base64url"));
      const key = Buffer.concat([decipher.update(Buffer.from(s.wrapped, "base64url")), decipher.final()]);
      return { kid: s.kid, generation: s.generation, key, createdAt: s.created_at };
    } catch {
      return undefined;
    }
  }
}
