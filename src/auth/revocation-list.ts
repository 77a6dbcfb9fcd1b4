import type { Component } from "../core/lifecycle.js";
import type { Database } from "../store/database.js";
import type { GroupCommit } from "../store/group-commit.js";

/**
 * Revoked access-token ids, each kept until the token would have expired anyway (then it is
 * useless to remember). Durable, so a restart does not bring a logged-out token back to life.
 */
export class RevocationList implements Component {
  readonly name = "revocations";
  /** jti -> expiry, epoch seconds. */
  private readonly revoked = new Map<string, number>();

  constructor(
    private readonly database: Database,
    private readonly commits: GroupCommit,
  ) {}

  async start(): Promise<void> {
    this.revoked.clear();
    for await (const [jti, exp] of this.database.sublevels.revoked.iterator()) this.revoked.set(jti, exp as number);
  }

  async stop(): Promise<void> {}

  isRevoked(jti: string): boolean {
    return this.revoked.has(jti);
  }

  get size(): number {
    return this.revoked.size;
  }

  async revoke(jti: string, expiresAtS: number): Promise<void> {
    await this.commits.commit([
      { type: "put", sublevel: this.database.sublevels.revoked, key: jti, value: expiresAtS },
    ]);
    this.revoked.set(jti, expiresAtS);
  }

  async sweep(nowS: number): Promise<number> {
    const expired = [...this.revoked].filter(([, exp]) => exp < nowS).map(([jti]) => jti);
    if (expired.length === 0) return 0;
    await this.commits.commit(
      expired.map((jti) => ({ type: "del" as const, sublevel: this.database.sublevels.revoked, key: jti })),
    );
    for (const jti of expired) this.revoked.delete(jti);
    return expired.length;
  }
}
