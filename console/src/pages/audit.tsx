import { useEffect, useState } from "preact/hooks";
import { describeError } from "../api/errors";
import { type AuditFilters, fieldApi } from "../api/field";
import type { AuditEntry, AuditVerify } from "../api/field";
import { navigate } from "../router";

const PAGE = 50;

function VerifyChain() {
  const [result, setResult] = useState<AuditVerify>();
  const [status, setStatus] = useState<string>();
  return (
    <div class="actions">
      <button
        type="button"
        onClick={() => {
          setStatus("Verifying the whole chain…");
          setResult(undefined);
          fieldApi.verifyAudit().then(
            (r) => {
              setResult(r);
              setStatus(undefined);
            },
            (err: unknown) => setStatus(describeError(err)),
          );
        }}
      >
        Verify chain
      </button>
      {status && <span role="status">{status}</span>}
      {result && (
        <p role="status" aria-label="Chain verification" class={result.ok ? "tone-ok" : "tone-bad"}>
          {result.ok
            ? `Chain intact: ${result.checked} entries verified.`
            : `Chain broken at entry ${result.firstBad?.seq ?? "?"} (${result.firstBad?.reason ?? "unknown"}); ${result.checked} entries verified before it.`}
        </p>
      )}
    </div>
  );
}

/** Supervisor: the audit trail, filtered (filters and page in the URL), paged by sequence number. */
export function AuditPage({ query }: { query: URLSearchParams }) {
  const filters: AuditFilters = {
    action: query.get("action") ?? "",
    actor: query.get("actor") ?? "",
    since: query.get("since") ?? "",
    until: query.get("until") ?? "",
  };
  const after = query.get("after") ? Number(query.get("after")) : undefined;
  const [entries, setEntries] = useState<readonly AuditEntry[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<string>();
  const key = query.toString();
  useEffect(() => {
    fieldApi.audit(filters, after, PAGE).then(
      (p) => {
        setEntries(p.entries);
        setNext(p.entries.length === PAGE ? p.next_after_seq : null);
        setError(undefined);
      },
      (err: unknown) => setError(describeError(err)),
    );
  }, [key]);
  const go = (changes: Record<string, string | undefined>): void => {
    const q = new URLSearchParams(query);
    for (const [k, v] of Object.entries(changes))
      if (v) q.set(k, v);
      else q.delete(k);
    navigate(`/audit${q.size ? `?${q}` : ""}`);
  };
  const field = (name: keyof AuditFilters, label: string, time = false) => (
    <label>
      {label}
      {time ? (
        <input type="datetime-local" name={name} defaultValue={filters[name]} />
      ) : (
        <input type="text" name={name} defaultValue={filters[name]} />
      )}
    </label>
  );
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <VerifyChain />
      <form
        aria-label="Audit filters"
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          const text = (k: string): string => {
            const v = f.get(k);
            return typeof v === "string" ? v.trim() : "";
          };
          go({
            action: text("action"),
            actor: text("actor"),
            since: text("since"),
            until: text("until"),
            after: undefined,
          });
        }}
      >
        {field("action", "Action")}
        {field("actor", "Actor")}
        {field("since", "Since", true)}
        {field("until", "Until", true)}
        <button type="submit">Filter</button>
      </form>
      {error && <p role="alert">{error}</p>}
      <table aria-label="Audit entries">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Time</th>
            <th scope="col">Actor</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            <th scope="col">Result</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.seq}>
              <td>{e.seq}</td>
              <td>{new Date(e.ts).toLocaleString()}</td>
              <td>{e.actor}</td>
              <td>{e.action}</td>
              <td>{e.target}</td>
              <td class={e.result === "ok" ? "tone-ok" : "tone-bad"}>{e.result}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <nav aria-label="Audit pages" class="actions">
        <button type="button" disabled={after === undefined} onClick={() => go({ after: undefined })}>
          First page
        </button>
        <button type="button" disabled={next === null} onClick={() => go({ after: String(next) })}>
          Next page
        </button>
      </nav>
    </section>
  );
}
