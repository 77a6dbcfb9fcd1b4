import { useEffect, useState } from "preact/hooks";
import { api } from "../api/client";
import { describeError } from "../api/errors";
import { signedOut } from "../api/session";
import type { Session } from "../api/types";
import { navigate } from "../router";
import { useSession } from "../use-session";

function ChangePassword() {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [status, setStatus] = useState<string>();
  return (
    <form
      aria-label="Change password"
      onSubmit={(e) => {
        e.preventDefault();
        api.changePassword(current, next).then(
          () => {
            setCurrent("");
            setNext("");
            setStatus("Password changed.");
          },
          (err: unknown) => setStatus(describeError(err)),
        );
      }}
    >
      <h2>Change password</h2>
      <label>
        Current password
        <input
          type="password"
          autoComplete="current-password"
          required
          value={current}
          onInput={(e) => setCurrent(e.currentTarget.value)}
        />
      </label>
      <label>
        New password
        <input
          type="password"
          autoComplete="new-password"
          required
          value={next}
          onInput={(e) => setNext(e.currentTarget.value)}
        />
      </label>
      <button type="submit">Change password</button>
      {status && <p role="status">{status}</p>}
    </form>
  );
}

function Sessions() {
  const [sessions, setSessions] = useState<Session[]>([]);
  const [status, setStatus] = useState<string>();
  const load = (): void => {
    api.sessions().then(
      (s) => setSessions(s.sessions),
      (err: unknown) => setStatus(describeError(err)),
    );
  };
  useEffect(load, []);
  return (
    <section aria-labelledby="sessions-title">
      <h2 id="sessions-title">My sessions</h2>
      <table aria-label="My sessions">
        <thead>
          <tr>
            <th scope="col">Device</th>
            <th scope="col">From</th>
            <th scope="col">Signed in</th>
            <th scope="col">Last active</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {sessions.map((s) => (
            <tr key={s.id}>
              <td>
                {s.user_agent.slice(0, 60) || "unknown"}
                {s.current ? " (this session)" : ""}
              </td>
              <td>{s.source}</td>
              <td>{new Date(s.created_at).toLocaleString()}</td>
              <td>{new Date(s.last_activity_at).toLocaleString()}</td>
              <td>
                <button
                  type="button"
                  aria-label={`End session ${s.current ? "(this one)" : s.id.slice(0, 6)}`}
                  onClick={() => {
                    void api.endSession(s.id).then(
                      () => (s.current ? (signedOut(), navigate("/login", { replace: true })) : load()),
                      (err: unknown) => setStatus(describeError(err)),
                    );
                  }}
                >
                  End
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button
        type="button"
        onClick={() => {
          void api.endAllSessions().then(() => {
            signedOut();
            navigate("/login", { replace: true });
          });
        }}
      >
        End all my sessions
      </button>
      {status && <p role="status">{status}</p>}
    </section>
  );
}

export function AccountPage() {
  const s = useSession();
  return (
    <section aria-labelledby="account-title">
      <h1 id="account-title">My account</h1>
      <p>
        Signed in as <strong>{s.me?.username}</strong>, role <strong>{s.me?.role}</strong>. Password last changed{" "}
        {s.me ? new Date(s.me.password_changed_at).toLocaleDateString() : ""}.
      </p>
      <ChangePassword />
      <Sessions />
    </section>
  );
}
