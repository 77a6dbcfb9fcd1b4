import argon2 from "argon2";
import pLimit, { type LimitFunction } from "p-limit";
import type { Component } from "../core/lifecycle.js";

export interface Argon2Params {
  readonly memoryKib: number;
  readonly timeCost: number;
  readonly parallelism: number;
  /** Hashes computed at once; each holds `memoryKib`, so this bounds the memory a login flood can take. */
  readonly maxConcurrent: number;
}

/**
 * argon2id hashing behind a concurrency limit. `verifyUnknownUser` burns the same time as a real
 * verify, so a login for a user that does not exist cannot be told apart by its latency.
 */
export class PasswordHasher implements Component {
  readonly name = "password-hasher";
  private readonly limit: LimitFunction;
  private dummyHash: string | undefined;

  constructor(private readonly params: Argon2Params) {
    this.limit = pLimit(params.maxConcurrent);
  }

  async start(): Promise<void> {
    this.dummyHash ??= await this.hash(`vigil-dummy-${Date.now()}-${Math.random()}`);
  }

  async stop(): Promise<void> {
    this.limit.clearQueue();
  }

  /** Callers waiting for a hash slot: a figure for health and metrics. */
  get queued(): number {
    return this.limit.pendingCount;
  }

  hash(password: string): Promise<string> {
    const { memoryKib, timeCost, parallelism } = this.params;
    return this.limit(() =>
      argon2.hash(password, { type: argon2.argon2id, memoryCost: memoryKib, timeCost, parallelism }),
    );
  }

  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await this.limit(() => argon2.verify(hash, password));
    } catch {
      // A stored hash argon2 cannot parse is a failed login, not a 500 that tells the caller more.
      return false;
    }
  }

  async verifyUnknownUser(password: string): Promise<false> {
    if (this.dummyHash) await this.verify(this.dummyHash, password);
    return false;
  }

  /** True when the stored hash was made with other parameters than the configured ones. */
  needsRehash(hash: string): boolean {
    const { memoryKib, timeCost, parallelism } = this.params;
    try {
      return argon2.needsRehash(hash, { memoryCost: memoryKib, timeCost, parallelism });
    } catch {
      return true;
    }
  }
}
