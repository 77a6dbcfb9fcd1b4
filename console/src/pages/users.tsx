import { useEffect, useState } from "preact/hooks";
import { describeError } from "../api/errors";
import { fieldApi } from "../api/field";
import type { User, UserSession } from "../api/field";
import { ROLES, type Role } from "../../../src/contract/roles";

function NewUserForm({ onAdded }: { onAdded: () => void }) {
  const [username, setUsername] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const [password, setPassword] = useState("");
  const [status, setStatus] = useState<string>();
  return (
    <form
      aria-label="New user"
      onSubmit={(e) => {
        e.preventDefault();
        fieldApi.addUser(username, role, password).then(
          (u) => {
            setStatus(`User ${u.username} created (${u.role}).`);
            setUsername("");
            setPassword("");
            onAdded();
          },
          (err: unknown) => setStatus(describeError(err)),
        );
      }}
    >
      <h2>New user</h2>
      <label>
        New username
        <input required autoComplete="off" value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
      </label>
      <label>
        Role
        <select value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </label>
      <label>
        Initial password
        <input
          type="password"
          required
          autoComplete="new-password"
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
      </label>
      <button type="submit">Create user</button>
      {status && <p role="status">{status}</p>}
    </form>
  );
}

/** One user's row: disable or enable, reset the password, list and end their sessions. */
function UserRow({ u, onChanged, say }: { u: User; onChanged: () => void; say: (s: string) => void }) {
  const [sessions, setSessions] = useState<UserSession[]>();
  const [resetting, setResetting] = useState(false);
  const [password, setPassword] = useState("");
  const fail = (err: unknown): void => say(describeError(err));
  return (
    <tr>
      <th scope="row">{u.username}</th>
      <td>{u.role}</td>
      <td class={u.disabled ? "tone-bad" : "tone-ok"}>{u.disabled ? "Disabled" : "Active"}</td>
      <td>
        <button
          type="button"
          aria-label={`${u.disabled ? "Enable" : "Disable"} ${u.username}`}
          onClick={() =>
            void fieldApi
              .setDisabled(u.username, !u.disabled)
              .then(() => (say(`${u.username} ${u.disabled ? "enabled" : "disabled"}.`), onChanged()), fail)
          }
        >
          {u.disabled ? "Enable" : "Disable"}
        </button>
        <button
          type="button"
          aria-label={`Reset password of ${u.username}`}
          aria-expanded={resetting}
          onClick={() => setResetting(!resetting)}
        >
          Reset password
        </button>
        <button
          type="button"
          aria-label={`Sessions of ${u.username}`}
          onClick={() => void fieldApi.userSessions(u.username).then((s) => setSessions(s.sessions), fail)}
        >
          Sessions
        </button>
        {resetting && (
          <form
            aria-label={`Reset the password of ${u.username}`}
            onSubmit={(e) => {
              e.preventDefault();
              void fieldApi.resetPassword(u.username, password).then(() => {
                setPassword("");
                setResetting(false);
                say(`Password of ${u.username} reset; their sessions ended.`);
              }, fail);
            }}
          >
            <label>
              New password for {u.username}
              <input
                type="password"
                required
                autoComplete="new-password"
                value={password}
                onInput={(e) => setPassword(e.currentTarget.value)}
              />
            </label>
            <button type="submit">Set password</button>
          </form>
        )}
        {sessions && (
          <div role="group" aria-label={`Sessions of ${u.username}`}>
            {sessions.length === 0
              ? "No session."
              : `${sessions.length} session(s), last active ${new Date(Math.max(...sessions.map((s) => Date.parse(s.last_activity_at)))).toLocaleString()}`}{" "}
            {sessions.length > 0 && (
              <button
                type="button"
                aria-label={`End all sessions of ${u.username}`}
                onClick={() =>
                  void fieldApi
                    .endUserSessions(u.username)
                    .then(() => (setSessions([]), say(`Sessions of ${u.username} ended.`)), fail)
                }
              >
                End all
              </button>
            )}
          </div>
        )}
      </td>
    </tr>
  );
}

/** Admin: the daemon's users. */
export function UsersPage() {
  const [users, setUsers] = useState<User[]>([]);
  const [status, setStatus] = useState<string>();
  const load = (): void => {
    fieldApi.users().then(
      (r) => setUsers(r.users),
      (err: unknown) => setStatus(describeError(err)),
    );
  };
  useEffect(load, []);
  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">Users</h1>
      {status && <p role="status">{status}</p>}
      <table aria-label="Users">
        <thead>
          <tr>
            <th scope="col">Username</th>
            <th scope="col">Role</th>
            <th scope="col">State</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <UserRow key={u.username} u={u} onChanged={load} say={setStatus} />
          ))}
        </tbody>
      </table>
      <NewUserForm onAdded={load} />
    </section>
  );
}
