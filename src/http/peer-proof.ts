import { randomBytes } from "node:crypto";
import { lstat, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { ErrorCodes, VigilError } from "../core/errors.js";

/** The file a CLI creates to prove who it runs as, named by the daemon's challenge. */
export function proofFileName(nonce: string): string {
  return `.admin-proof-${nonce}`;
}

const NONCE = /^[0-9a-f]{32}$/;
/** Challenges outstanding at once: a client that asks and never proves cannot grow the table. */
const MAX_PENDING = 256;

function refused(why: string): VigilError {
  return new VigilError(ErrorCodes.UNAUTHENTICATED, `admin socket: ${why}; use the vigil CLI`);
}

/**
 * Which local user is at the other end of the admin socket, from the kernel rather than from what
 * the client says. Node cannot read a Unix socket's SO_PEERCRED without a native addon, but the
 * kernel records who creates a file: the daemon hands out a one-time nonce, the client creates
 * `<data_dir>/.admin-proof-<nonce>` (the 0700 data directory, which only root and the service user
 * can enter, as only they can reach the socket), and the daemon reads the file's owner with lstat
 * and deletes it. A non-root client cannot make a file owned by anyone else; root, who could, can
 * act as anyone on the box anyway.
 */
export class PeerProofs {
  private readonly pending = new Map<string, number>();

  constructor(
    private readonly dir: string,
    private readonly ttlMs = 10_000,
  ) {}

  issue(now = Date.now()): string {
    for (const [nonce, expires] of this.pending) if (expires <= now) this.pending.delete(nonce);
    if (this.pending.size >= MAX_PENDING) this.pending.delete(this.pending.keys().next().value as string);
    const nonce = randomBytes(16).toString("hex");
    this.pending.set(nonce, now + this.ttlMs);
    return nonce;
  }

  /** The uid that created the proof for `nonce`; each nonce proves once. */
  async verify(nonce: unknown, now = Date.now()): Promise<number> {
    if (typeof nonce !== "string" || !NONCE.test(nonce)) throw refused("no proof of the caller's user");
    const expires = this.pending.get(nonce);
    this.pending.delete(nonce);
    if (expires === undefined || expires <= now) throw refused("the proof's challenge is unknown or expired");
    const path = join(this.dir, proofFileName(nonce));
    try {
      const st = await lstat(path);
      // A symlink or a hard link would name a file someone else created.
      if (!st.isFile() || st.nlink !== 1) throw refused("the proof is not a plain file");
      return st.uid;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") throw refused("the proof file was not created");
      throw err;
    } finally {
      await rm(path, { force: true });
    }
  }
}

/** The user name of a uid from /etc/passwd, or `uid:<n>` when it has none. */
export async function userNameOf(uid: number, passwd = "/etc/passwd"): Promise<string> {
  try {
    for (const line of (await readFile(passwd, "utf8")).split("\n")) {
      const [name, , id] = line.split(":");
      if (name && id !== undefined && Number(id) === uid) return name;
    }
  } catch {
    // No passwd file (a minimal container): the number is still the truth.
  }
  return `uid:${uid}`;
}
