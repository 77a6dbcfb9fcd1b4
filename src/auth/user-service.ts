import type { AuditRecorder } from "../contract/audit.js";
import type { Role } from "../contract/roles.js";
import { ErrorCodes, VigilError } from "../core/errors.js";
import type { LoginLockout } from "./lockout.js";
import type { PasswordHasher } from "./password-hasher.js";
import { passwordPolicyViolations } from "./password-policy.js";
import type { SessionStore } from "./session-store.js";
import { type PublicUser, publicUser, type UserRecord, type UserStore } from "./user-store.js";

export interface Actor {
  readonly name: string;
  readonly source?: string | undefined;
}

function checkPolicy(password: string, username: string): void {
  const problems = passwordPolicyViolations(password, username);
  if (problems.length > 0) {
    throw new VigilError(ErrorCodes.PASSWORD_POLICY, `password must have ${problems.join(", ")}`, {
      details: { field: "password", problems },
    });
  }
}

/**
 * User management for admins (HTTP and `vigil user`): every change is audited before it is
 * reported, and anything that takes access away (disable, delete, new password) ends the user's
 * sessions at once. The last active admin cannot be removed, so a box cannot be locked out of itself.
 */
export class UserService {
  constructor(
    private readonly deps: {
      users: UserStore;
      hasher: PasswordHasher;
      sessions: SessionStore;
      lockout: LoginLockout;
      audit: AuditRecorder;
      now?: () => number;
    },
  ) {}

  private get now(): number {
    return (this.deps.now ?? Date.now)();
  }

  list(): PublicUser[] {
    return this.deps.users.list().map(publicUser);
  }

  get(username: string): PublicUser {
    return publicUser(this.require(username));
  }

  async add(input: { username: string; role: Role; password: string }, actor: Actor): Promise<PublicUser> {
    if (this.deps.users.get(input.username))
      throw new VigilError(ErrorCodes.ALREADY_EXISTS, `user ${input.username} exists`, {
        details: { field: "username" },
      });
    checkPolicy(input.password, input.username);
    const at = new Date(this.now).toISOString();
    const user: UserRecord = {
      username: input.username,
      role: input.role,
      password_hash: await this.deps.hasher.hash(input.password),
      disabled: false,
      created_at: at,
      created_by: actor.name,
      updated_at: at,
      password_changed_at: at,
    };
    await this.deps.users.put(user);
    await this.audit(actor, "user.created", input.username, { role: input.role });
    return publicUser(user);
  }

  async setDisabled(username: string, disabled: boolean, actor: Actor): Promise<PublicUser> {
    const user = this.require(username);
    if (disabled) this.refuseLastAdmin(user, "disable");
    const next = { ...user, disabled, updated_at: new Date(this.now).toISOString() };
    await this.deps.users.put(next);
    const ended = disabled ? await this.deps.sessions.endAllFor(username, "user_disabled", this.now) : [];
    await this.audit(actor, disabled ? "user.disabled" : "user.enabled", username, { sessions_ended: ended.length });
    return publicUser(next);
  }

  async delete(username: string, actor: Actor): Promise<void> {
    const user = this.require(username);
    this.refuseLastAdmin(user, "delete");
    await this.deps.sessions.endAllFor(username, "user_deleted", this.now);
    await this.deps.users.delete(username);
    await this.deps.lockout.clear(username);
    await this.audit(actor, "user.deleted", username, { role: user.role });
  }

  /** An admin sets a new password (the user's own sessions end; a lockout is lifted). */
  async resetPassword(username: string, password: string, actor: Actor): Promise<void> {
    const user = this.require(username);
    checkPolicy(password, username);
    await this.storePassword(user, password);
    await this.deps.lockout.clear(username);
    const ended = await this.deps.sessions.endAllFor(username, "password_reset", this.now);
    await this.audit(actor, "user.password_reset", username, { sessions_ended: ended.length });
  }

  /** The user changes their own password: the current one is required, and every session ends. */
  async changeOwnPassword(username: string, current: string, next: string, actor: Actor): Promise<void> {
    const user = this.require(username);
    const source = actor.source ?? "local";
    // A locked account cannot change its password either: the current password is a guess like a login's.
    if (this.deps.lockout.lockedUntil(username, source, this.now) !== undefined) {
      await this.deps.audit.record({
        actor: actor.name,
        source: actor.source,
        action: "user.password_changed",
        target: `user:${username}`,
        result: "denied",
        details: { reason: "locked" },
      });
      throw new VigilError(
        ErrorCodes.ACCOUNT_LOCKED,
        "the account is locked after failed attempts; try again later, or ask an admin to reset the password",
      );
    }
    if (!(await this.deps.hasher.verify(user.password_hash, current))) {
      await this.deps.lockout.recordFailure(username, source, this.now);
      await this.deps.audit.record({
        actor: actor.name,
        source: actor.source,
        action: "user.password_changed",
        target: `user:${username}`,
        result: "denied",
        details: { reason: "bad_current_password" },
      });
      throw new VigilError(ErrorCodes.UNAUTHENTICATED, "invalid credentials");
    }
    checkPolicy(next, username);
    if (current === next)
      throw new VigilError(ErrorCodes.PASSWORD_POLICY, "the new password must differ from the current one", {
        details: { field: "new_password" },
      });
    await this.storePassword(user, next);
    const ended = await this.deps.sessions.endAllFor(username, "password_changed", this.now);
    await this.audit(actor, "user.password_changed", username, { sessions_ended: ended.length });
  }

  private async storePassword(user: UserRecord, password: string): Promise<void> {
    const at = new Date(this.now).toISOString();
    await this.deps.users.put({
      ...user,
      password_hash: await this.deps.hasher.hash(password),
      updated_at: at,
      password_changed_at: at,
    });
  }

  private require(username: string): UserRecord {
    const user = this.deps.users.get(username);
    if (!user) throw new VigilError(ErrorCodes.NOT_FOUND, `no user ${username}`);
    return user;
  }

  private refuseLastAdmin(user: UserRecord, verb: string): void {
    if (user.role !== "admin" || user.disabled) return;
    const admins = this.deps.users.list().filter((u) => u.role === "admin" && !u.disabled);
    if (admins.length <= 1)
      throw new VigilError(ErrorCodes.CONFLICT, `cannot ${verb} ${user.username}: it is the last active admin`);
  }

  private async audit(actor: Actor, action: string, username: string, details: Record<string, unknown>): Promise<void> {
    await this.deps.audit.record({
      actor: actor.name,
      source: actor.source,
      action,
      target: `user:${username}`,
      result: "ok",
      details,
    });
  }
}
