// Operators and supervisors deciding in the console (Debian's Chromium) on a real daemon with
// real mosquitto: what each role sees, keyboard dismissal reaching MQTT, request and approval
// with the four-eyes rule and its audit entries, a conflict between two browsers, evidence
// export verified by the CLI, and a live update arriving without a reload.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { AuditEntry } from "../../src/contract/audit.js";
import type { Envelope } from "../../src/contract/envelope.js";
import type { Incident } from "../../src/contract/incident.js";
import { launchChromium, openConsole, signIn } from "../helpers/browser.js";
import { type ConsoleBox, type ConsoleUser, startConsoleBox } from "../helpers/console-box.js";
import { runCli } from "../helpers/daemon.js";
import { startMosquitto, type MosquittoHandle } from "../helpers/mosquitto.js";
import { collectMqtt, type MqttCollector } from "../helpers/mqtt-collector.js";

const TOPIC = "vigil/console/gw-ui/incidents";

void describe("console: decisions, approval, evidence and live updates (Chromium, real daemon, real mosquitto)", () => {
  let box: ConsoleBox;
  let browser: Browser;
  let broker: MosquittoHandle;
  let mqtt: MqttCollector;
  before(async () => {
    broker = await startMosquitto();
    mqtt = await collectMqtt(broker.url, "vigil/console/gw-ui/#");
    box = await startConsoleBox({ mqtt: { brokers: [broker.url] } });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await box?.cleanup();
    await mqtt?.close();
    await broker?.stop();
  });

  async function signedIn(
    user: ConsoleUser,
    path = "/incidents",
    prepare?: (c: BrowserContext) => Promise<void>,
  ): Promise<{ page: Page; close: () => Promise<void> }> {
    const { page, context } = await openConsole(browser, `${box.url}${path}`, undefined, prepare);
    await signIn(page, user);
    return { page, close: () => context.close() };
  }

  void it("each role sees what it may do: viewer reads, operator decides, supervisor and admin approve; the API still refuses the rest", async () => {
    const open = await box.raiseTamper("gate");
    const pending = await box.raiseTamper("yard");
    const op = await box.token(box.users.operator);
    const esc = await box.api<Incident>(`/v1/incidents/${pending.id}/decision`, {
      method: "POST",
      token: op,
      body: JSON.stringify({ action: "escalate" }),
    });
    await box.api<Incident>(`/v1/incidents/${pending.id}/decision`, {
      method: "POST",
      token: op,
      body: JSON.stringify({ action: "request_dispatch", version: esc.body.version }),
    });
    for (const role of ["viewer", "operator", "supervisor", "admin"] as const) {
      const { page, close } = await signedIn(box.users[role], `/incidents/${open.id}`);
      try {
        await page.getByRole("heading", { name: /Camera gate reported tampering/ }).waitFor();
        assert.equal(await page.getByLabel(`Role: ${role}`).textContent(), role);
        const seen = {
          decision: await page.getByRole("form", { name: "Decision" }).count(),
          exportButton: await page.getByRole("button", { name: "Export evidence" }).count(),
          approve: 0,
        };
        await page.goto(`${box.url}/incidents/${pending.id}`);
        await page.getByRole("heading", { name: /Camera yard reported tampering/ }).waitFor();
        seen.approve = await page.getByRole("button", { name: "Approve dispatch…" }).count();
        const may = role === "viewer" ? 0 : 1;
        assert.deepEqual(
          seen,
          { decision: may, exportButton: may, approve: role === "supervisor" || role === "admin" ? 1 : 0 },
          role,
        );
        await page.getByRole("link", { name: "Incidents" }).click();
        await page
          .getByRole("listbox", { name: /Incidents/ })
          .getByRole("option")
          .first()
          .waitFor()
          .catch(async (err: unknown) => {
            throw new Error(
              `${role}: no incident in the queue at ${page.url()}: ${(await page.locator("main").innerText()).replace(/\s+/g, " ").slice(-300)}`,
              { cause: err },
            );
          });
        assert.equal(
          await page.getByRole("toolbar", { name: "Triage the selected incident" }).count(),
          may,
          `${role} triage toolbar`,
        );
      } finally {
        await close();
      }
    }
    const viewer = await box.token(box.users.viewer);
    assert.equal(
      (
        await box.api(`/v1/incidents/${open.id}/decision`, {
          method: "POST",
          token: viewer,
          body: JSON.stringify({ action: "monitor" }),
        })
      ).status,
      403,
    );
    assert.equal(
      (await box.api(`/v1/incidents/${pending.id}/approve`, { method: "POST", token: op, body: "{}" })).status,
      403,
    );
  });

  void it("dismissing with the keyboard needs a reason and goes out as incident.updated on mosquitto", async () => {
    const incident = await box.raiseTamper("yard");
    const { page, close } = await signedIn(box.users.operator, "/incidents?camera=yard&status=open");
    try {
      const list = page.getByRole("listbox", { name: /Incidents/ });
      await list
        .getByRole("option", { name: /Camera yard reported tampering/ })
        .first()
        .waitFor();
      await list.focus();
      await page.keyboard.press("d");
      const dialog = page.getByRole("dialog", { name: "Dismiss incident" });
      await dialog.getByRole("button", { name: "Dismiss" }).click();
      assert.equal(await dialog.isVisible(), true, "no reason, no dismissal");
      await dialog.getByLabel("Dismiss reason").selectOption("weather");
      await dialog.getByLabel("Note (optional)").fill("snow on the lens");
      await dialog.getByRole("button", { name: "Dismiss" }).click();
      await page.getByRole("alert").filter({ hasText: "Dismissed" }).waitFor();
      const msg = await mqtt.waitFor(
        (m) =>
          m.topic === TOPIC &&
          (m.json() as Envelope<Incident>).type === "incident.updated" &&
          (m.json() as Envelope<Incident>).data.id === incident.id &&
          (m.json() as Envelope<Incident>).data.status === "dismissed",
        15_000,
      );
      const data = (msg.json() as Envelope<Incident>).data;
      assert.equal(data.dismiss_reason, "weather");
      assert.deepEqual(
        [data.history.at(-1)?.actor, data.history.at(-1)?.note],
        [box.users.operator.username, "snow on the lens"],
      );
    } finally {
      await close();
    }
  });

  void it("a dispatch request, the requester refused by the four-eyes rule, approval by another supervisor after confirming, and the audit entries", async () => {
    const incident = await box.raiseTamper("dock");
    const first = await signedIn(box.users.supervisor, `/incidents/${incident.id}`);
    try {
      const { page } = first;
      const decide = async (action: string): Promise<void> => {
        const form = page.getByRole("form", { name: "Decision" });
        await form.getByRole("radio", { name: action }).check();
        await form.getByRole("button", { name: "Submit decision" }).click();
      };
      await decide("Escalate");
      await page.getByText("escalated", { exact: true }).first().waitFor();
      await decide("Request dispatch");
      await page.getByRole("button", { name: "Approve dispatch…" }).click();
      await page
        .getByRole("dialog", { name: "Approve dispatch?" })
        .getByRole("button", { name: "Approve dispatch" })
        .click();
      assert.match(
        await page.getByRole("alert").filter({ hasText: "four-eyes" }).innerText(),
        /another supervisor must approve/,
      );
    } finally {
      await first.close();
    }
    const second = await signedIn(box.users.supervisor2, `/incidents/${incident.id}`);
    try {
      const { page } = second;
      await page.getByRole("button", { name: "Approve dispatch…" }).click();
      const dialog = page.getByRole("dialog", { name: "Approve dispatch?" });
      await dialog.getByRole("button", { name: "Cancel" }).click();
      assert.equal(
        (await box.api<Incident>(`/v1/incidents/${incident.id}`, { token: await box.token(box.users.viewer) })).body
          .status,
        "dispatch_pending_review",
        "cancel approves nothing",
      );
      await page.getByRole("button", { name: "Approve dispatch…" }).click();
      await dialog.getByRole("button", { name: "Approve dispatch" }).click();
      await page.getByRole("alert").filter({ hasText: "Dispatch approved." }).waitFor();
      await page
        .getByRole("list", { name: "History" })
        .getByText(/approve: dispatch pending review → dispatch authorized/)
        .waitFor();
    } finally {
      await second.close();
    }
    const audit = (
      await box.api<{ entries: AuditEntry[] }>("/v1/audit?limit=500", { token: await box.token(box.users.admin) })
    ).body.entries.filter((e) => e.target === `incident:${incident.id}`);
    assert.deepEqual(
      audit.map((e) => [e.actor, e.action, e.result]),
      [
        [box.users.supervisor.username, "incident.decision", "ok"],
        [box.users.supervisor.username, "incident.decision", "ok"],
        [box.users.supervisor.username, "incident.approve_refused", "denied"],
        [box.users.supervisor2.username, "incident.approved", "ok"],
      ],
    );
  });

  void it("two browsers decide on the same version: the second is told who changed it first, and reloads", async () => {
    const incident = await box.raiseTamper("gate");
    const a = await signedIn(box.users.operator, `/incidents/${incident.id}`);
    // B's live stream is down (a network glitch): its page still shows the version A decides on.
    const b = await signedIn(box.users.supervisor, `/incidents/${incident.id}`, async (c) => {
      await c.route("**/v1/events", (route) => route.abort());
    });
    try {
      for (const { page } of [a, b]) await page.getByRole("form", { name: "Decision" }).waitFor();
      await a.page.getByRole("radio", { name: "Monitor" }).check();
      await a.page.getByRole("button", { name: "Submit decision" }).click();
      await a.page
        .getByRole("list", { name: "History" })
        .getByText(/monitor: open → monitoring/)
        .waitFor();
      await b.page.getByRole("radio", { name: "Escalate" }).check();
      await b.page.getByRole("button", { name: "Submit decision" }).click();
      const conflict = b.page.getByRole("alert").filter({ hasText: "changed this incident" });
      assert.match(
        await conflict.innerText(),
        new RegExp(`${box.users.operator.username} changed this incident \\(monitor, now monitoring\\)`),
      );
      await conflict.getByRole("button", { name: "Reload incident" }).click();
      await b.page
        .getByRole("list", { name: "History" })
        .getByText(/monitor: open → monitoring/)
        .waitFor();
      const current = await box.api<Incident>(`/v1/incidents/${incident.id}`, {
        token: await box.token(box.users.viewer),
      });
      assert.equal(current.body.status, "monitoring", "the losing decision changed nothing");
    } finally {
      await a.close();
      await b.close();
    }
  });

  void it("exports the evidence pack as a download that `vigil evidence verify` accepts", async () => {
    const incident = await box.raiseTamper("yard");
    const { page, close } = await signedIn(box.users.operator, `/incidents/${incident.id}`);
    try {
      const download = page.waitForEvent("download");
      await page.getByRole("button", { name: "Export evidence" }).click();
      const file = join(box.box.dir, "pack.zip");
      await (await download).saveAs(file);
      await page.getByRole("status").filter({ hasText: "Evidence pack downloaded" }).waitFor();
      const verify = await runCli(["evidence", "verify", file, "--config", box.box.configPath]);
      assert.equal(verify.code, 0, verify.stdout + verify.stderr);
      assert.match(verify.stdout, /^ok: /);
    } finally {
      await close();
    }
  });

  void it("a new incident appears in an open queue without a reload", async () => {
    const { page, close } = await signedIn(box.users.viewer, "/incidents");
    try {
      await page.getByRole("listbox", { name: /Incidents/ }).waitFor();
      await page.getByText(/· live/).waitFor();
      await page.evaluate("window.__notReloaded = true");
      const incident = await box.raiseTamper("dock");
      await page
        .getByRole("option", { name: new RegExp(incident.summary.replace(/[()]/g, "\\$&")) })
        .first()
        .waitFor();
      assert.equal(await page.evaluate("window.__notReloaded"), true);
    } finally {
      await close();
    }
  });
});
