// The daemon's side of the web console against a real daemon child process: the refresh cookie,
// the four-eyes rule with its audit entry, the live event stream and its resumption, the settings.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { AuditEntry } from "../../src/contract/audit.js";
import type { Incident } from "../../src/contract/incident.js";
import { type ConsoleBox, startConsoleBox } from "../helpers/console-box.js";

type SseEvent = { id?: string; event: string; data: string };

/** Reads server-sent events until `count` that `accept` takes have arrived (or the time is up). */
async function readEvents(
  url: string,
  token: string,
  count: number,
  lastEventId?: string,
  accept: (e: SseEvent) => boolean = () => true,
): Promise<SseEvent[]> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), 10_000);
  const res = await fetch(`${url}/v1/events`, {
    headers: { authorization: `Bearer ${token}`, ...(lastEventId ? { "last-event-id": lastEventId } : {}) },
    signal: ctl.signal,
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
  const events: SseEvent[] = [];
  let buffer = "";
  const decoder = new TextDecoder();
  try {
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let cut: number;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const fields = Object.fromEntries(
          block
            .split("\n")
            .filter((l) => !l.startsWith(":"))
            .map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 2)]),
        );
        if (fields.event) {
          const event: SseEvent = { id: fields.id, event: fields.event, data: fields.data ?? "" };
          if (accept(event)) events.push(event);
        }
        if (events.length >= count) return events;
      }
    }
  } catch (err) {
    if (!ctl.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    ctl.abort();
  }
  return events;
}

void describe("console API on a real daemon", () => {
  let box: ConsoleBox;
  before(async () => {
    box = await startConsoleBox();
  });
  after(async () => {
    await box?.cleanup();
  });

  void it("the refresh token goes into an HttpOnly SameSite=Strict cookie on /v1/auth only when asked, and refreshing from it needs the custom header", async () => {
    const login = await fetch(`${box.url}/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-vigil-refresh": "cookie" },
      body: JSON.stringify(box.users.operator),
    });
    assert.equal(login.status, 200);
    const body = (await login.json()) as { access_token: string; refresh_token?: string };
    assert.equal(body.refresh_token, undefined, "the body must not carry the refresh token in cookie mode");
    const setCookie = login.headers.get("set-cookie") ?? "";
    assert.match(setCookie, /^vigil_refresh=[^;]+; Path=\/v1\/auth; Max-Age=\d+; HttpOnly; SameSite=Strict$/);
    const cookie = setCookie.split(";")[0] ?? "";

    const withoutHeader = await fetch(`${box.url}/v1/auth/refresh`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie },
      body: "{}",
    });
    assert.equal(withoutHeader.status, 400);
    const formPost = await fetch(`${box.url}/v1/auth/refresh`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie },
      body: "a=b",
    });
    assert.ok(
      formPost.status === 415 || formPost.status === 400,
      `a cross-site form post must fail, got ${formPost.status}`,
    );

    const refreshed = await fetch(`${box.url}/v1/auth/refresh`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-vigil-refresh": "cookie", cookie },
      body: "{}",
    });
    assert.equal(refreshed.status, 200);
    const next = (await refreshed.json()) as { access_token: string; refresh_token?: string };
    assert.equal(next.refresh_token, undefined);
    assert.notEqual(refreshed.headers.get("set-cookie")?.split(";")[0], cookie, "the refresh token rotates");
    // API clients keep the body flow.
    const apiLogin = await box.api<{ refresh_token?: string }>("/v1/auth/login", {
      method: "POST",
      body: JSON.stringify(box.users.operator),
    });
    assert.equal(typeof apiLogin.body.refresh_token, "string");

    const logout = await fetch(`${box.url}/v1/auth/logout`, {
      method: "POST",
      headers: { authorization: `Bearer ${next.access_token}` },
    });
    assert.equal(logout.status, 204);
    assert.match(logout.headers.get("set-cookie") ?? "", /^vigil_refresh=; Path=\/v1\/auth; Max-Age=0/);
  });

  void it("four eyes: the supervisor who requested a dispatch cannot approve it (403 VIGIL_E_FOUR_EYES, audited); another supervisor can", async () => {
    const incident = await box.raiseTamper("yard");
    const sup = await box.token(box.users.supervisor);
    const escalated = await box.api<Incident>(`/v1/incidents/${incident.id}/decision`, {
      method: "POST",
      token: sup,
      body: JSON.stringify({ action: "escalate", version: incident.version }),
    });
    assert.equal(escalated.status, 200);
    const requested = await box.api<Incident>(`/v1/incidents/${incident.id}/decision`, {
      method: "POST",
      token: sup,
      body: JSON.stringify({ action: "request_dispatch", version: escalated.body.version }),
    });
    assert.equal(requested.body.status, "dispatch_pending_review");
    const self = await box.api<{ error: { code: string } }>(`/v1/incidents/${incident.id}/approve`, {
      method: "POST",
      token: sup,
      body: JSON.stringify({ version: requested.body.version }),
    });
    assert.equal(self.status, 403);
    assert.equal(self.body.error.code, "VIGIL_E_FOUR_EYES");
    const other = await box.token(box.users.supervisor2);
    const approved = await box.api<Incident>(`/v1/incidents/${incident.id}/approve`, {
      method: "POST",
      token: other,
      body: JSON.stringify({ version: requested.body.version }),
    });
    assert.equal(approved.status, 200);
    assert.equal(approved.body.status, "dispatch_authorized");
    // The refusal is audited beside the 403, not before it: give the write a moment.
    let refused: AuditEntry | undefined;
    for (let tries = 0; !refused && tries < 50; tries++) {
      if (tries > 0) await new Promise((r) => setTimeout(r, 100));
      const audit = await box.api<{ entries: AuditEntry[] }>(`/v1/audit?limit=500&action=incident.approve_refused`, {
        token: sup,
      });
      refused = audit.body.entries.find(
        (e) => e.action === "incident.approve_refused" && e.target === `incident:${incident.id}`,
      );
    }
    assert.ok(refused, "the refused self-approval is in the audit trail");
    assert.equal(refused.actor, box.users.supervisor.username);
    assert.equal(refused.result, "denied");
  });

  void it("GET /v1/events streams changes to each role it is for, and Last-Event-ID resumes without a gap", async () => {
    const viewer = await box.token(box.users.viewer);
    const supervisor = await box.token(box.users.supervisor);
    // Earlier tests' incidents may still be updated (ended by their group window) while this one
    // runs: each read takes only the events of this test's incident.
    // Its event can arrive before raiseTamper's answer, so the first read knows it by its camera.
    const first = readEvents(
      box.url,
      viewer,
      1,
      undefined,
      (e) => e.event === "incident.created" && (JSON.parse(e.data) as Incident).camera_id === "dock",
    );
    await new Promise((r) => setTimeout(r, 300));
    const incident = await box.raiseTamper("dock");
    const ofThis = (e: SseEvent) => (JSON.parse(e.data) as { id?: string }).id === incident.id;
    const [created] = await first;
    assert.equal(created?.event, "incident.created");
    assert.equal((JSON.parse(created?.data ?? "{}") as Incident).id, incident.id);

    // While nobody listens: two decisions. A viewer resuming from `created` gets both, in order.
    const op = await box.token(box.users.operator);
    const escalated = await box.api<Incident>(`/v1/incidents/${incident.id}/decision`, {
      method: "POST",
      token: op,
      body: JSON.stringify({ action: "escalate" }),
    });
    await box.api<Incident>(`/v1/incidents/${incident.id}/decision`, {
      method: "POST",
      token: op,
      body: JSON.stringify({ action: "request_dispatch", version: escalated.body.version }),
    });
    const resumed = await readEvents(box.url, viewer, 2, created?.id, ofThis);
    assert.deepEqual(
      resumed.map((e) => [e.event, (JSON.parse(e.data) as Incident).status]),
      [
        ["incident.updated", "escalated"],
        ["incident.updated", "dispatch_pending_review"],
      ],
    );
    // A supervisor resuming from the same point also hears that an approval waits.
    const forSupervisor = await readEvents(box.url, supervisor, 3, created?.id, ofThis);
    assert.deepEqual(
      forSupervisor.map((e) => e.event),
      ["incident.updated", "incident.updated", "approval.requested"],
    );
    // An id the daemon cannot resume from: reset (reload the list).
    const unknown = await readEvents(box.url, viewer, 1, "deadbeef.1");
    assert.equal(unknown[0]?.event, "reset");
    const anonymous = await fetch(`${box.url}/v1/events`);
    assert.equal(anonymous.status, 401);
  });

  void it("a stream ends the moment its session does: logout leaves no open feed", async () => {
    const token = await box.token(box.users.viewer);
    const res = await fetch(`${box.url}/v1/events`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    const drained = (async () => {
      for await (const _chunk of res.body as AsyncIterable<Uint8Array>) void _chunk;
      return "ended";
    })();
    await new Promise((r) => setTimeout(r, 300));
    const logout = await fetch(`${box.url}/v1/auth/logout`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(logout.status, 204);
    // The access token would still be valid for minutes; the stream must not wait for it.
    const outcome = await Promise.race([drained, new Promise((r) => setTimeout(() => r("still open"), 5000))]);
    assert.equal(outcome, "ended");
  });

  void it("GET /v1/settings gives the console the decision SLA and the four-eyes switch", async () => {
    const r = await box.api<Record<string, unknown>>("/v1/settings", { token: await box.token(box.users.viewer) });
    assert.deepEqual(r.body, {
      site: "console",
      gateway: "gw-ui",
      decision_sla_s: 300,
      allow_self_approval: false,
      access_ttl_s: 900,
    });
  });
});
