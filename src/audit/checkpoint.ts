import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { CompactSign, compactVerify, type JWK } from "jose";
import { ErrorCodes, VigilError } from "../core/errors.js";
import type { Component } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import type { Outbox } from "../store/outbox.js";
import type { AuditEntry } from "../contract/audit.js";
import type { AuditHead } from "./audit-log.js";
import { canonicalJson } from "./canonical.js";
import { foldEntries, isChainHash, publicGenesis, type PublicHead } from "./public-chain.js";

/**
 * Signed checkpoints of the audit head. The HMAC chain shows a changed entry to anyone with the
 * key, but someone with the disk and the key can rewrite or cut the tail and re-MAC it. A
 * checkpoint signed with a key that only signs (its public half is held by central) pins
 * (seq, mac) at a moment in time: a later chain that does not extend it was rewritten or truncated.
 */

const ALG = "EdDSA";
const TYP = "vigil-audit-checkpoint";

export interface CheckpointClaims {
  readonly site: string;
  readonly gateway: string;
  readonly seq: number;
  readonly mac: string;
  readonly ts: string;
  /**
   * The public SHA-256 chain head at `seq` (public-chain.ts). Absent from checkpoints signed
   * before it existed: those still verify, and pin only (seq, mac).
   */
  readonly chain?: string;
}

/** The `data` of an `audit.checkpoint` envelope. */
export interface CheckpointData {
  readonly seq: number;
  readonly mac: string;
  readonly ts: string;
  readonly chain?: string;
  readonly jws: string;
}

/** A fresh Ed25519 private key as PKCS8 PEM (what `vigil init` writes to `audit_checkpoint_key`). */
export function generateCheckpointKeyPem(): string {
  return generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
}

function privateKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (err) {
    throw new VigilError(ErrorCodes.SECRET_WEAK, "audit_checkpoint_key is not a PKCS8 PEM private key", { cause: err });
  }
  if (key.asymmetricKeyType !== "ed25519")
    throw new VigilError(
      ErrorCodes.SECRET_WEAK,
      `audit_checkpoint_key is ${key.asymmetricKeyType ?? "unknown"}, not Ed25519`,
    );
  return key;
}

/** The checkpoint key as a KeyObject: evidence packs are signed with the same gateway key. */
export function checkpointSigningKey(pem: string): KeyObject {
  return privateKey(pem);
}

/** The public JWK installers hand to central, with `kid` = RFC 7638 thumbprint. */
export function checkpointPublicJwk(privatePem: string): JWK {
  const { kty, crv, x } = createPublicKey(privateKey(privatePem)).export({ format: "jwk" });
  const kid = createHash("sha256").update(canonicalJson({ crv, kty, x })).digest("base64url");
  return { kty, crv, x, alg: ALG, use: "sig", kid };
}

export async function signCheckpoint(privatePem: string, claims: CheckpointClaims): Promise<string> {
  const key = privateKey(privatePem);
  const { kid } = checkpointPublicJwk(privatePem);
  const payload: CheckpointClaims = {
    site: claims.site,
    gateway: claims.gateway,
    seq: claims.seq,
    mac: claims.mac,
    ts: claims.ts,
    ...(claims.chain === undefined ? {} : { chain: claims.chain }),
  };
  return new CompactSign(Buffer.from(canonicalJson(payload), "utf8"))
    .setProtectedHeader({ alg: ALG, typ: TYP, ...(kid ? { kid } : {}) })
    .sign(key);
}

function isClaims(value: unknown): value is CheckpointClaims {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.site === "string" &&
    typeof v.gateway === "string" &&
    Number.isSafeInteger(v.seq) &&
    (v.seq as number) >= 0 &&
    typeof v.mac === "string" &&
    typeof v.ts === "string" &&
    (v.chain === undefined || isChainHash(v.chain))
  );
}

/** The claims of a checkpoint signed by the holder of `publicJwk`'s private half (EdDSA only). */
export async function verifyCheckpoint(jws: string, publicJwk: JWK): Promise<CheckpointClaims> {
  let payload: Uint8Array;
  try {
    const verified = await compactVerify(jws, publicJwk, { algorithms: [ALG] });
    if (verified.protectedHeader.typ !== TYP)
      throw new Error(`typ is ${String(verified.protectedHeader.typ)}, not ${TYP}`);
    payload = verified.payload;
  } catch (err) {
    throw new VigilError(
      ErrorCodes.CHECKPOINT_INVALID,
      `checkpoint signature does not verify: ${(err as Error).message}`,
      { cause: err },
    );
  }
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload).toString("utf8"));
  } catch (err) {
    throw new VigilError(ErrorCodes.CHECKPOINT_INVALID, "checkpoint payload is not JSON", { cause: err });
  }
  if (!isClaims(claims))
    throw new VigilError(ErrorCodes.CHECKPOINT_INVALID, "checkpoint payload lacks site, gateway, seq, mac or ts");
  return claims;
}

/** What the publisher needs from the audit log: its durable head, and its entries to fold the public chain. */
export interface AuditHeadSource {
  readonly head: AuditHead;
  list?(query: { afterSeq: number; limit: number }): Promise<AuditEntry[]>;
}

/**
 * Appends a signed `audit.checkpoint` to the `audit` stream every interval when the head moved, so
 * central always holds a recent signed head. After a restart the first tick publishes once more
 * (what was last signed is not kept), which tells central the chain it saw is still the one here.
 */
export class CheckpointPublisher implements Component {
  readonly name = "audit-checkpoints";
  private timer: NodeJS.Timeout | undefined;
  private last: AuditHead | undefined;
  /** Publishes run one at a time, so two triggers never sign the same head twice. */
  private chain: Promise<unknown> = Promise.resolve();
  /** The public chain folded so far; rebuilt from entry 1 after each start (one walk). */
  private folded: PublicHead | undefined;

  constructor(
    private readonly auditLog: AuditHeadSource,
    private readonly outbox: Outbox,
    private readonly privatePem: string,
    private readonly intervalMs: number,
    private readonly identity: { site: string; gateway: string },
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async start(): Promise<void> {
    privateKey(this.privatePem);
    if (!(this.intervalMs > 0))
      throw new VigilError(
        ErrorCodes.CONFIG_INVALID,
        `checkpoint interval must be positive, got ${this.intervalMs} ms`,
      );
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.chain;
  }

  /**
   * Publishes a checkpoint of the current head if it moved since the last one (or always, with
   * `force`: central asking for a fresh one). Resolves with what was appended, once durable.
   */
  publishNow(options: { force?: boolean } = {}): Promise<CheckpointData | undefined> {
    const run = this.chain.then(() => this.publish(options.force === true));
    this.chain = run.catch(() => {});
    return run;
  }

  private async tick(): Promise<void> {
    try {
      await this.publishNow();
    } catch (err) {
      this.log.warn({ err }, "audit checkpoint not published; retrying next interval");
    }
  }

  private async publish(force: boolean): Promise<CheckpointData | undefined> {
    const head = this.auditLog.head;
    const moved = this.last === undefined ? head.seq > 0 : head.seq !== this.last.seq || head.mac !== this.last.mac;
    if (!moved && !force) return undefined;
    const ts = this.now().toISOString();
    const chain = await this.publicChainAt(head.seq);
    const claims = { ...this.identity, seq: head.seq, mac: head.mac, ts, ...(chain === undefined ? {} : { chain }) };
    const jws = await signCheckpoint(this.privatePem, claims);
    const data: CheckpointData = { seq: head.seq, mac: head.mac, ts, ...(chain === undefined ? {} : { chain }), jws };
    await this.outbox.append("audit", "audit.checkpoint", data);
    this.last = head;
    this.log.debug({ seq: head.seq }, "audit checkpoint published");
    return data;
  }

  /** The public chain head at `seq`, folding what was appended since the last checkpoint. */
  private async publicChainAt(seq: number): Promise<string | undefined> {
    const list = this.auditLog.list?.bind(this.auditLog);
    if (!list) return undefined;
    let head = this.folded ?? { seq: 0, chain: publicGenesis(this.identity.site, this.identity.gateway) };
    try {
      while (head.seq < seq) {
        const page = (await list({ afterSeq: head.seq, limit: 1000 })).filter((e) => e.seq <= seq);
        if (page.length === 0) throw new RangeError(`audit entry ${head.seq + 1} is missing`);
        head = foldEntries(head, page);
      }
    } catch (err) {
      // A broken local chain: sign without the public claim rather than commit to a wrong one;
      // central then sees a checkpoint that pins only (seq, mac), and `audit verify` the break.
      this.log.error({ err, seq: head.seq }, "audit public chain cannot be folded; checkpoint signed without it");
      return undefined;
    }
    this.folded = head;
    return head.chain;
  }
}
