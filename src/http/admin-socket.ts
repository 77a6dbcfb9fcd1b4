import { chmod, rm } from "node:fs/promises";
import { join } from "node:path";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import Fastify, { type FastifyInstance } from "fastify";
import { ADMIN_SOCKET_NAME, type AdminOps } from "../contract/admin.js";
import { ErrorCodes, VigilError } from "../core/errors.js";
import type { Component } from "../core/lifecycle.js";
import type { Logger } from "../core/logger.js";
import { registerErrorHandler } from "./errors.js";

/** Runs one op with its args checked against the op's schema; shared by the socket and the offline CLI. */
export async function runAdminOp(ops: AdminOps, name: string, args: unknown, actor: string): Promise<unknown> {
  const op = Object.hasOwn(ops, name) ? ops[name] : undefined;
  if (!op) throw new VigilError(ErrorCodes.NOT_FOUND, `no admin operation "${name}"`);
  const check = TypeCompiler.Compile(op.args);
  if (!check.Check(args)) {
    const first = check.Errors(args).First();
    throw new VigilError(ErrorCodes.VALIDATION, `${name}: ${first ? `${first.path || "/"} ${first.message}` : "invalid arguments"}`, {
      details: { field: first?.path ?? "" },
    });
  }
  return op.run(args, { actor });
}

/**
 * The daemon's local administration endpoint: HTTP over a Unix socket in the data directory, so the
 * CLI can manage users and keys while the daemon holds the store. File permissions are the
 * authentication (the data dir is 0700, the socket 0600), as with docker.sock or the systemd bus.
 */
export class AdminSocket implements Component {
  readonly name = "admin-socket";
  private app: FastifyInstance | undefined;

  constructor(
    private readonly dataDir: string,
    private readonly ops: () => AdminOps,
    private readonly log: Logger,
  ) {}

  get path(): string {
    return join(this.dataDir, ADMIN_SOCKET_NAME);
  }

  async start(): Promise<void> {
    // Watchlist enrolment sends photos (base64) through here; only root and the service user can connect.
    const app = Fastify({ logger: false, bodyLimit: 64 * 1024 * 1024 });
    registerErrorHandler(app, this.log);
    app.post<{ Params: { op: string }; Body: { actor?: unknown; args?: unknown } }>("/ops/:op", async (request) => {
      const claimed = typeof request.body?.actor === "string" ? request.body.actor.slice(0, 64) : "unknown";
      const result = await runAdminOp(this.ops(), request.params.op, request.body?.args ?? {}, `cli:${claimed}`);
      return { result: result ?? null };
    });
    // A socket file left by a daemon that was killed would make listen fail with EADDRINUSE; the
    // store lock (held by now) proves no other daemon is using it.
    await rm(this.path, { force: true });
    await app.listen({ path: this.path });
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
