import { chmod, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import Fastify, { type FastifyInstance } from "fastify";
import { ADMIN_SOCKET_NAME, type AdminOps } from "../contract/admin.js";
import { ErrorCodes, VigilError } from "../core/errors.js";
import type { Component } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import { registerErrorHandler } from "./errors.js";
import { PeerProofs, userNameOf } from "./peer-proof.js";

/** Runs one op with its args checked against the op's schema; shared by the socket and the offline CLI. */
export async function runAdminOp(ops: AdminOps, name: string, args: unknown, actor: string): Promise<unknown> {
  const op = Object.hasOwn(ops, name) ? ops[name] : undefined;
  if (!op) throw new VigilError(ErrorCodes.NOT_FOUND, `no admin operation "${name}"`);
  const check = TypeCompiler.Compile(op.args);
  if (!check.Check(args)) {
    const first = check.Errors(args).First();
    throw new VigilError(
      ErrorCodes.VALIDATION,
      `${name}: ${first ? `${first.path || "/"} ${first.message}` : "invalid arguments"}`,
      {
        details: { field: first?.path ?? "" },
      },
    );
  }
  return op.run(args, { actor });
}

/** The socket's protection is its directory: refuse to serve from one that others can enter. */
export async function assertPrivateDir(dir: string): Promise<void> {
  const mode = (await stat(dir)).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new VigilError(
      ErrorCodes.CONFIG_INVALID,
      `data_dir ${dir} is mode ${mode.toString(8).padStart(4, "0")}; the admin socket in it needs 0700 (chmod 700 ${dir})`,
      { details: { path: "data_dir" } },
    );
  }
}

/**
 * The daemon's local administration endpoint: HTTP over a Unix socket in the data directory, so the
 * CLI can manage users and keys while the daemon holds the store. File permissions are the
 * authentication (the data dir is 0700, checked at start; the socket 0600, created under umask 077),
 * as with docker.sock or the systemd bus. The audit actor is `cli:<user>` for the user the
 * kernel says the caller runs as (peer-proof.ts: a one-time file it must create), never a name
 * the caller claims.
 */
export class AdminSocket implements Component {
  readonly name = "admin-socket";
  private app: FastifyInstance | undefined;
  private readonly proofs: PeerProofs;

  constructor(
    private readonly dataDir: string,
    private readonly ops: () => AdminOps,
    private readonly log: Logger,
  ) {
    this.proofs = new PeerProofs(dataDir);
  }

  get path(): string {
    return join(this.dataDir, ADMIN_SOCKET_NAME);
  }

  async start(): Promise<void> {
    // Watchlist enrolment sends photos (base64) through here; only root and the service user can connect.
    const app = Fastify({ logger: false, bodyLimit: 64 * 1024 * 1024 });
    registerErrorHandler(app, this.log);
    app.post("/challenge", async () => ({ nonce: this.proofs.issue() }));
    app.post<{ Params: { op: string }; Body: { proof?: unknown; args?: unknown } }>("/ops/:op", async (request) => {
      const uid = await this.proofs.verify(request.body?.proof);
      const result = await runAdminOp(
        this.ops(),
        request.params.op,
        request.body?.args ?? {},
        `cli:${await userNameOf(uid)}`,
      );
      return { result: result ?? null };
    });
    await assertPrivateDir(this.dataDir);
    // A socket file left by a daemon that was killed would make listen fail with EADDRINUSE; the
    // store lock (held by now) proves no other daemon is using it.
    await rm(this.path, { force: true });
    // Created under umask 077, so it is never 0666 for a moment before the chmod.
    const previous = process.umask(0o077);
    try {
      await app.listen({ path: this.path });
    } finally {
      process.umask(previous);
    }
    await chmod(this.path, 0o600);
    this.app = app;
    this.log.info({ path: this.path }, "admin socket listening");
  }

  async stop(): Promise<void> {
    const app = this.app;
    this.app = undefined;
    await app?.close();
  }
}
