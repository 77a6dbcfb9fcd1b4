import { request } from "node:http";
import { userInfo } from "node:os";
import { writeFile, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { ADMIN_SOCKET_NAME, type AdminOps } from "../contract/admin.js";
import type { VigilConfig } from "../config/schema.js";
import { type ErrorCode, ErrorCodes, VigilError } from "../core/errors.js";
import { runAdminOp } from "../http/admin-socket.js";
import { proofFileName } from "../http/peer-proof.js";

/** Opens what the ops need without the daemon (store, audit) and closes it again. */
export type OfflineAdmin = (config: Readonly<VigilConfig>) => Promise<{ ops: AdminOps; close(): Promise<void> }>;

function localActor(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid:${process.getuid?.() ?? "?"}`;
  }
}

type SocketAnswer = { kind: "answer"; status: number; body: unknown } | { kind: "absent" };

/** How long the daemon may take before the CLI gives up: most ops are quick, a backup is not. */
const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * One op over the socket: a challenge first, then the op with the proof of who this process runs
 * as (a file named by the challenge in the data directory, whose owner the daemon reads; see
 * src/http/peer-proof.ts).
 */
async function callSocket(
  path: string,
  op: string,
  args: unknown,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<SocketAnswer> {
  const challenge = await post(path, "/challenge", "{}", timeoutMs);
  if (challenge.kind === "absent") return challenge;
  const nonce = (challenge.body as { nonce?: unknown }).nonce;
  if (challenge.status !== 200 || typeof nonce !== "string" || !/^[0-9a-f]{32}$/.test(nonce)) return challenge;
  const proof = join(dirname(path), proofFileName(nonce));
  await writeFile(proof, "", { flag: "wx", mode: 0o600 });
  try {
    return await post(path, `/ops/${encodeURIComponent(op)}`, JSON.stringify({ proof: nonce, args }), timeoutMs);
  } finally {
    await rm(proof, { force: true });
  }
}

function post(path: string, urlPath: string, payload: string, timeoutMs: number): Promise<SocketAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath: path, path: urlPath, method: "POST", headers: { "content-type": "application/json" } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          try {
            resolve({
              kind: "answer",
              status: res.statusCode ?? 500,
              body: JSON.parse(Buffer.concat(chunks).toString("utf8")),
            });
          } catch (err) {
            reject(
              new VigilError(
                ErrorCodes.DAEMON_UNREACHABLE,
                "the daemon's admin socket answered with something other than JSON",
                { cause: err },
              ),
            );
          }
        });
      },
    );
    req.on("error", (err: NodeJS.ErrnoException) => {
      // No socket, or a stale one from a daemon that died: nobody is serving, the store is ours.
      if (err.code === "ENOENT" || err.code === "ECONNREFUSED") resolve({ kind: "absent" });
      else
        reject(new VigilError(ErrorCodes.DAEMON_UNREACHABLE, `admin socket ${path}: ${err.message}`, { cause: err }));
    });
    // A daemon that accepts and then hangs must not hang the installer's script with it.
    req.setTimeout(timeoutMs, () =>
      req.destroy(
        Object.assign(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`), { code: "ETIMEDOUT" }),
      ),
    );
    req.end(payload);
  });
}

/** Runs an op that only the running daemon can answer (its live health); none running is an error. */
export async function daemonCall<R>(config: Readonly<VigilConfig>, op: string, args: unknown): Promise<R> {
  const path = join(config.data_dir, ADMIN_SOCKET_NAME);
  const answer = await callSocket(path, op, args);
  if (answer.kind === "absent")
    throw new VigilError(ErrorCodes.DAEMON_UNREACHABLE, `the daemon is not running (no answer on ${path})`);
  return resultOf<R>(answer, op);
}

function resultOf<R>(answer: { status: number; body: unknown }, op: string): R {
  const body = answer.body as {
    result?: unknown;
    error?: { code?: string; message?: string; field?: unknown; problems?: unknown };
  };
  if (answer.status >= 400 || body.error) {
    const code = (body.error?.code ?? ErrorCodes.INTERNAL) as ErrorCode;
    // The socket answers errors as the HTTP API does, with the offending field beside the code;
    // it goes back into details, where the offline path has it, so --json shows the same either way.
    const { field, problems } = body.error ?? {};
    const details = {
      ...(typeof field === "string" ? { field } : {}),
      ...(Array.isArray(problems) ? { problems } : {}),
    };
    throw new VigilError(
      code,
      body.error?.message ?? `admin op ${op} failed (${answer.status})`,
      Object.keys(details).length > 0 ? { details } : undefined,
    );
  }
  return body.result as R;
}

/**
 * Runs an admin op in the running daemon (over its socket) or, when none is running, in this
 * process against the store. Errors come back as the same coded VigilErrors either way.
 */
export async function adminCall<R>(
  config: Readonly<VigilConfig>,
  offline: OfflineAdmin,
  op: string,
  args: unknown,
  options: { timeoutMs?: number } = {},
): Promise<R> {
  const answer = await callSocket(join(config.data_dir, ADMIN_SOCKET_NAME), op, args, options.timeoutMs);
  if (answer.kind === "answer") return resultOf<R>(answer, op);
  const admin = await offline(config);
  try {
    // In this process the user is the process's own (getpwuid), not a claim.
    return (await runAdminOp(admin.ops, op, args, `cli:${localActor()}`)) as R;
  } finally {
    await admin.close();
  }
}
