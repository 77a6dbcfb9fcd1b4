import type { TSchema } from "@sinclair/typebox";

/**
 * A local administration operation (`vigil user add`, `vigil key create`, ...). The same op runs
 * inside the daemon, reached over its admin socket, or in the CLI's own process when the daemon is
 * not running and the store is free; either way it is validated, executed and audited the same.
 */
export interface AdminOp<A = unknown, R = unknown> {
  readonly summary: string;
  readonly args: TSchema;
  run(args: A, ctx: AdminContext): Promise<R>;
}

export interface AdminContext {
  /** Audit actor: `cli:<os user>` for the local CLI. */
  readonly actor: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a heterogeneous table; each op validates its args against its own schema
export type AdminOps = Readonly<Record<string, AdminOp<any, unknown>>>;

/** The admin socket lives in the data directory (mode 0700), itself mode 0600: only the service user and root reach it. */
export const ADMIN_SOCKET_NAME = "admin.sock";
