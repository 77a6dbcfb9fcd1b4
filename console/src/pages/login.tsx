import { useState } from "preact/hooks";
import { describeError } from "../api/errors";
import { login } from "../api/session";
import { navigate } from "../router";

export function LoginPage({ next }: { next: string }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await login(username, password);
      // Only a path on this console: never an address somewhere else.
      navigate(next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/login") ? next : "/incidents", {
        replace: true,
      });
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <h1>Vigil console</h1>
      <form onSubmit={(e) => void submit(e)} aria-label="Sign in">
        <label>
          Username
          <input
            name="username"
            autoComplete="username"
            required
            value={username}
            onInput={(e) => setUsername(e.currentTarget.value)}
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
