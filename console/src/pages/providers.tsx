import { useEffect, useState } from "preact/hooks";
import { describeError } from "../api/errors";
import { fieldApi } from "../api/field";
import type { ProviderHealth } from "../api/field";
import { num } from "../field/health-words";
import { navigate } from "../router";

const STATES = ["healthy", "degraded", "unhealthy"] as const;
const ms = (n: number | null): string => (n === null ? "–" : `${num(n)} ms`);

/** Every inference provider in priority order (`GET /v1/providers`): why the box runs on CPU, or stopped detecting. */
export function ProvidersPage({ query }: { query: URLSearchParams }) {
  const wanted = STATES.find((s) => s === query.get("state"));
  const [providers, setProviders] = useState<ProviderHealth[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    const load = (): void => {
      fieldApi.providers(wanted).then(
        (r) => setProviders(r.providers),
        (e: unknown) => setError(describeError(e)),
      );
    };
    load();
    const timer = setInterval(load, 5000);
    return () => clearInterval(timer);
  }, [wanted]);
  return (
    <section aria-labelledby="providers-title">
      <h1 id="providers-title">Providers</h1>
      <label>
        State
        <select
          value={wanted ?? ""}
          onChange={(e) =>
            navigate(`/providers${e.currentTarget.value ? `?state=${e.currentTarget.value}` : ""}`, { replace: true })
          }
        >
          <option value="">All</option>
          {STATES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      {error && <p role="alert">{error}</p>}
      <table aria-label="Inference providers">
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col">Provider</th>
            <th scope="col">State</th>
            <th scope="col">Runs / failures</th>
            <th scope="col">Latency (avg / last)</th>
            <th scope="col">Load / warm-up</th>
            <th scope="col">Last error</th>
          </tr>
        </thead>
        <tbody>
          {(providers ?? []).map((p) => (
            <tr key={`${p.model}/${p.id}`}>
              <th scope="row">{p.model}</th>
              <td>
                {p.id} ({p.backend}){p.loaded ? "" : ", not loaded"}
              </td>
              <td class={p.state === "healthy" ? "tone-ok" : "tone-bad"}>
                {p.state}
                {p.down_until ? `, retried after ${new Date(p.down_until).toLocaleTimeString()}` : ""}
              </td>
              <td>
                {p.runs} / {p.failures} ({p.consecutive_failures} in a row)
              </td>
              <td>
                {ms(p.ewma_ms)} / {ms(p.last_ms)}
              </td>
              <td>
                {ms(p.load_ms)} / {ms(p.warmup_ms)}
              </td>
              <td>
                {p.last_error
                  ? `${p.last_error} (${p.last_error_at ? new Date(p.last_error_at).toLocaleString() : "?"})`
                  : "none"}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {providers && providers.length === 0 && <p>No provider{wanted ? ` is ${wanted}` : ""}.</p>}
    </section>
  );
}
