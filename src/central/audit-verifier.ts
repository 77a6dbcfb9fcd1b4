import type { JWK } from "jose";
import { verifyCheckpoint } from "../audit/checkpoint.js";
import { publicGenesis, publicLink } from "../audit/public-chain.js";
import type { AuditEntry } from "../contract/audit.js";
import type { Envelope } from "../contract/envelope.js";
import { isAuditEntry } from "../audit/chain.js";

/**
 * Checks a gateway's audit stream with only its public checkpoint key. Entries are folded into the
 * public SHA-256 chain as they arrive; each signed checkpoint that carries a `chain` claim must
 * match the fold at its seq. So an entry altered, dropped, reordered or inserted anywhere before a
 * checkpoint is caught at that checkpoint at the latest, and entries after the last checkpoint are
 * reported as pending, not as verified. What this cannot show: entries the gateway never recorded,
 * or a gateway whose signing key was stolen (see docs/central.md, "Audit verification").
 */

export type AuditProblemKind =
  | "missing"
  | "out_of_order"
  | "link_mismatch"
  | "malformed"
  | "bad_signature"
  | "wrong_gateway"
  | "chain_mismatch"
  | "mac_mismatch"
  | "checkpoint_ahead";

export interface AuditProblem {
  readonly kind: AuditProblemKind;
  readonly seq?: number;
  readonly message: string;
}

export interface AuditVerification {
  /** No problem found in what was received; see `pending` for entries no checkpoint covers yet. */
  readonly ok: boolean;
  readonly entries: number;
  /** Highest entry seq covered by a verified checkpoint's public chain (0: none). */
  readonly verifiedThrough: number;
  readonly checkpoints: number;
  /** Verified checkpoints signed before the public chain existed: they pin only (seq, mac). */
  readonly legacyCheckpoints: number;
  /** Entries after the last covering checkpoint: received, not yet proven. */
  readonly pending: number;
  readonly problems: readonly AuditProblem[];
}

/** Where verification starts: genesis (default), or a checkpoint verified earlier. */
export interface AuditAnchor {
  readonly seq: number;
  readonly chain: string;
  readonly mac: string;
}

const RING = 65_536;

export class AuditStreamVerifier {
  private lastSeq: number;
  private lastMac: string | undefined;
  private lastChain: string;
  private readonly heads = new Map<number, { chain: string; mac: string }>();
  private entries = 0;
  private verifiedThrough: number;
  private checkpoints = 0;
  private legacy = 0;
  private readonly problems: AuditProblem[] = [];

  constructor(
    private readonly publicJwk: JWK,
    private readonly identity: { site: string; gateway: string },
    anchor?: AuditAnchor,
  ) {
    this.lastSeq = anchor?.seq ?? 0;
    this.lastMac = anchor?.mac;
    this.lastChain = anchor?.chain ?? publicGenesis(identity.site, identity.gateway);
    this.verifiedThrough = anchor?.seq ?? 0;
    this.heads.set(this.lastSeq, { chain: this.lastChain, mac: anchor?.mac ?? "" });
  }

  private problem(kind: AuditProblemKind, message: string, seq?: number): void {
    this.problems.push({ kind, message, ...(seq === undefined ? {} : { seq }) });
  }

  /** Feeds one envelope of the gateway's `audit` stream, in stream order; others are ignored. */
  async add(envelope: Envelope): Promise<void> {
    if (envelope.stream !== "audit") return;
    if (envelope.site !== this.identity.site || envelope.gateway !== this.identity.gateway) {
      this.problem(
        "wrong_gateway",
        `envelope from ${envelope.site}/${envelope.gateway} in ${this.identity.site}/${this.identity.gateway}'s audit`,
      );
      return;
    }
    if (envelope.type === "audit.entry") this.addEntry(envelope.data);
    else if (envelope.type === "audit.checkpoint") await this.addCheckpoint(envelope.data);
  }

  private addEntry(entry: unknown): void {
    if (!isAuditEntry(entry)) return this.problem("malformed", "audit.entry data is not an audit entry");
    if (entry.seq <= this.lastSeq)
      return this.problem("out_of_order", `entry ${entry.seq} after ${this.lastSeq}`, entry.seq);
    if (entry.seq > this.lastSeq + 1) {
      this.problem("missing", `entries ${this.lastSeq + 1}..${entry.seq - 1} missing`, this.lastSeq + 1);
      // Carry on from here so later checkpoints still say what they can; the fold is now broken.
    } else if (this.lastMac !== undefined && entry.prev_mac !== this.lastMac) {
      this.problem("link_mismatch", `entry ${entry.seq} does not link to entry ${this.lastSeq}`, entry.seq);
    }
    this.fold(entry);
  }

  private fold(entry: AuditEntry): void {
    this.lastChain = publicLink(this.lastChain, entry);
    this.lastSeq = entry.seq;
    this.lastMac = entry.mac;
    this.entries++;
    this.heads.set(entry.seq, { chain: this.lastChain, mac: entry.mac });
    if (this.heads.size > RING) this.heads.delete(this.heads.keys().next().value as number);
  }

  private async addCheckpoint(data: unknown): Promise<void> {
    const jws = typeof data === "object" && data !== null ? (data as Record<string, unknown>).jws : undefined;
    if (typeof jws !== "string") return this.problem("malformed", "audit.checkpoint without a jws");
    let claims;
    try {
      claims = await verifyCheckpoint(jws, this.publicJwk);
    } catch (err) {
      return this.problem("bad_signature", (err as Error).message);
    }
    if (claims.site !== this.identity.site || claims.gateway !== this.identity.gateway) {
      return this.problem("wrong_gateway", `checkpoint signed for ${claims.site}/${claims.gateway}`, claims.seq);
    }
    this.checkpoints++;
    if (claims.seq > this.lastSeq)
      return this.problem(
        "checkpoint_ahead",
        `checkpoint at ${claims.seq}, entries received only to ${this.lastSeq}`,
        claims.seq,
      );
    const head = this.heads.get(claims.seq);
    if (head === undefined) return; // older than the window kept, or before the anchor: nothing to compare
    if (claims.seq > 0 && head.mac !== "" && head.mac !== claims.mac)
      this.problem("mac_mismatch", `checkpoint mac at ${claims.seq} differs from the entry received`, claims.seq);
    if (claims.chain === undefined) {
      this.legacy++;
      return;
    }
    if (claims.chain !== head.chain)
      return this.problem(
        "chain_mismatch",
        `public chain at ${claims.seq} differs from the entries received`,
        claims.seq,
      );
    if (this.problems.length === 0) this.verifiedThrough = Math.max(this.verifiedThrough, claims.seq);
  }

  result(): AuditVerification {
    const problems = [...this.problems];
    return {
      ok: problems.length === 0,
      entries: this.entries,
      verifiedThrough: this.verifiedThrough,
      checkpoints: this.checkpoints,
      legacyCheckpoints: this.legacy,
      pending: Math.max(0, this.lastSeq - this.verifiedThrough),
      problems,
    };
  }
}

/** Verifies a whole stored audit stream (envelopes in stream order) with only the public key. */
export async function verifyAuditStream(
  envelopes: Iterable<Envelope> | AsyncIterable<Envelope>,
  publicJwk: JWK,
  identity: { site: string; gateway: string },
  anchor?: AuditAnchor,
): Promise<AuditVerification> {
  const verifier = new AuditStreamVerifier(publicJwk, identity, anchor);
  for await (const envelope of envelopes) await verifier.add(envelope);
  return verifier.result();
}
