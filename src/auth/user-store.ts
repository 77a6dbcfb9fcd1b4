import type { Role } from "../contract/roles.js";
import type { Component } from "../core/lifecycle.js";
import type { Database } from "../store/database.js";
import type { GroupCommit } from "../store/group-commit.js";

export const USERNAME_PATTERN = "^[a-z0-9][a-z0-9._-]{0,63}$";

export interface UserRecord {
  readonly username: string;
  readonly role: Role;
  readonly password_hash: string;
  readonly disabled: boolean;
  readonly created_at: string;
  readonly created_by: string;
  readonly updated_at: string;
  readonly password_changed_at: string;
}

/** What may be shown about a user: never the hash. */
export type PublicUser = Omit<UserRecord, "password_hash">;

export function publicUser(user: UserRecord): PublicUser {
  const { password_hash: _hash, ...rest } = user;
  return rest;
}

/**
 * Operators in the `users` sublevel, mirrored in memory (a box has a handful) so authenticating a
 * request never touches the disk. Every change is fsynced before it is reported.
 */
export class UserStore implements Component {
  readonly name = "users";
  private readonly users = new Map<string, UserRecord>();

  constructor(
    private readonly database: Database,
    private readonly commits: GroupCommit,
  ) {}

  async start(): Promise<void> {
    this.users.clear();
    for await (const [key, value] of this.database.sublevels.users.iterator()) this.users.set(key, value as UserRecord);
  }

  async stop(): Promise<void> {}

  get(username: string): UserRecord | undefined {
    return this.users.get(username);
  }

  list(): UserRecord[] {
    return [...this.users.values()].sort((a, b) => a.username.localeCompare(b.username));
  }

  async put(user: UserRecord): Promise<void> {
    await this.commits.commit([
      { type: "put", sublevel: this.database.sublevels.users, key: user.username, value: user },
    ]);
    this.users.set(user.username, user);
  }

  async delete(username: string): Promise<void> {
    await this.commits.commit([{ type: "del", sublevel: this.database.sublevels.users, key: username }]);
    this.users.delete(username);
  }
}
