// The administrators' and supervisors' pages in Chromium against a real daemon (faces on, real
// models): users created and disabled, a person enrolled from a photo after the face preview, the
// audit chain verified from its page, and each role seeing only its pages while the API refuses
// the rest with 403 codes. Then axe-core checks these pages and the field techs' ones.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import type { Browser } from "playwright-core";
import { axeViolations, describeViolations, type Violation } from "../helpers/axe.js";
import { launchChromium, openConsole, signIn } from "../helpers/browser.js";
import { type ConsoleBox, startConsoleBox } from "../helpers/console-box.js";
import { PHOTOS } from "../helpers/face-models.js";

const run = promisify(execFile);

/** sample1.jpg through ffmpeg into a JPEG file (as daemon-faces.test does for its enrolment photos). */
async function photoFile(out: string, filter: string | undefined): Promise<string> {
  await run("ffmpeg", [
    "-nostdin",
    "-v",
    "error",
    "-y",
    "-i",
    join(PHOTOS, "sample1.jpg"),
    ...(filter ? ["-vf", filter] : []),
    "-q:v",
    "3",
    out,
  ]);
  return out;
}
// The woman on the left of sample1, cut out so hers is the only face.
const HER_FACE = "crop=700:900:200:100";

void describe("console: users, watchlist, audit, role visibility (Chromium, real daemon)", () => {
  let box: ConsoleBox;
  let browser: Browser;
  before(async () => {
    box = await startConsoleBox({ faces: { enabled: true } });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await box?.cleanup();
  });

  void it("an admin creates a user, who can sign in, then disables them, who cannot", async () => {
    const { page, context, problems } = await openConsole(browser, `${box.url}/users`);
    try {
      await signIn(page, box.users.admin);
      await page
        .getByRole("table", { name: "Users" })
        .getByRole("rowheader", { name: box.users.viewer.username })
        .waitFor();
      await page.getByLabel("New username").fill("night-guard");
      await page.getByRole("combobox", { name: /^Role/ }).selectOption("operator");
      await page.getByLabel("Initial password").fill("Night-Guard-Pass-2026!");
      await page.getByRole("button", { name: "Create user" }).click();
      await page.getByRole("status").getByText("User night-guard created (operator).").waitFor();
      await page.getByRole("rowheader", { name: "night-guard" }).waitFor();
      const login = (): Promise<{ status: number }> =>
        box.api("/v1/auth/login", {
          method: "POST",
          body: JSON.stringify({ username: "night-guard", password: "Night-Guard-Pass-2026!" }),
        });
      assert.equal((await login()).status, 200);

      // Their session, then a password reset from the page: the session ends and the new password works.
      const session = await login();
      assert.equal(session.status, 200);
      await page.getByRole("button", { name: "Sessions of night-guard" }).click();
      await page
        .getByRole("group", { name: "Sessions of night-guard" })
        .getByText(/^2 session\(s\)/)
        .waitFor();
      await page.getByRole("button", { name: "Reset password of night-guard" }).click();
      await page.getByLabel("New password for night-guard").fill("Night-Guard-Pass-2027!");
      await page.getByRole("button", { name: "Set password", exact: true }).click();
      await page.getByRole("status").getByText("Password of night-guard reset; their sessions ended.").waitFor();
      const sessions = await box.api<{ sessions: unknown[] }>("/v1/users/night-guard/sessions", {
        token: await box.token(box.users.admin),
      });
      assert.deepEqual(sessions.body.sessions, [], "a reset ends the user's sessions");
      assert.equal((await login()).status, 401, "the old password no longer works");
      assert.equal(
        (
          await box.api("/v1/auth/login", {
            method: "POST",
            body: JSON.stringify({ username: "night-guard", password: "Night-Guard-Pass-2027!" }),
          })
        ).status,
        200,
      );

      await page.getByRole("button", { name: "Disable night-guard" }).click();
      await page
        .getByRole("row", { name: /night-guard/ })
        .getByText("Disabled")
        .waitFor();
      const disabled = await box.api("/v1/auth/login", {
        method: "POST",
        body: JSON.stringify({ username: "night-guard", password: "Night-Guard-Pass-2027!" }),
      });
      assert.equal(disabled.status, 401, "a disabled user cannot sign in");
      await page.getByRole("button", { name: "Enable night-guard" }).waitFor();
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  void it("a supervisor sees the face preview, enrols a person from a photo with one face, and deletes them", async () => {
    const alone = await photoFile(join(box.box.dir, "her.jpg"), HER_FACE);
    const group = await photoFile(join(box.box.dir, "group.jpg"), undefined);
    const { page, context, problems } = await openConsole(browser, `${box.url}/watchlist`);
    page.on("dialog", (d) => void d.accept());
    try {
      await signIn(page, box.users.supervisor);
      await page.getByRole("heading", { name: "Watchlist", level: 1 }).waitFor();
      await page.getByLabel("Name").fill("Visitor A");
      // A photo with several people: the preview says so and Enrol stays off.
      await page.getByLabel("Photos (JPEG, one face each)").setInputFiles(group);
      await page.getByText(/faces found: choose a photo of the person alone/).waitFor({ timeout: 30_000 });
      assert.ok(await page.getByRole("button", { name: "Enrol" }).isDisabled());
      await page.getByLabel("Photos (JPEG, one face each)").setInputFiles(alone);
      await page.getByText(/^One face found \(score 0\.\d+, \d+ px wide\)$/).waitFor({ timeout: 30_000 });
      assert.equal(
        await page.getByRole("img", { name: "Faces in her.jpg: 1" }).locator("rect").count(),
        1,
        "the face's box is drawn over the photo",
      );
      await page.getByRole("button", { name: "Enrol" }).click();
      await page.getByRole("status").getByText("Visitor A enrolled from 1 photo(s).").waitFor({ timeout: 30_000 });
      await page
        .getByRole("table", { name: "Enrolled persons" })
        .getByRole("rowheader", { name: "Visitor A" })
        .waitFor();
      const sup = await box.token(box.users.supervisor);
      // What reaches the decoder from the preview route: a JPEG or a 400, never more.
      const notJpeg = await box.api<{ error: { code: string } }>("/v1/watchlist/face-preview", {
        method: "POST",
        token: sup,
        body: JSON.stringify({ photo: Buffer.from("GIF89a not a jpeg at all").toString("base64") }),
      });
      assert.equal(notJpeg.status, 400);
      assert.equal(notJpeg.body.error.code, "VIGIL_E_VALIDATION");
      const truncated = await box.api<{ error: { code: string } }>("/v1/watchlist/face-preview", {
        method: "POST",
        token: sup,
        body: JSON.stringify({ photo: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46]).toString("base64") }),
      });
      assert.ok(
        [400, 422].includes(truncated.status),
        `a truncated JPEG: ${truncated.status} ${JSON.stringify(truncated.body)}`,
      );
      const listed = await box.api<{ persons: Array<{ name: string }> }>("/v1/watchlist", { token: sup });
      assert.deepEqual(
        listed.body.persons.map((p) => p.name),
        ["Visitor A"],
      );

      await page.getByRole("button", { name: "Delete Visitor A" }).click();
      await page.getByRole("status").getByText("Visitor A deleted.").waitFor();
      assert.deepEqual((await box.api<{ persons: unknown[] }>("/v1/watchlist", { token: sup })).body.persons, []);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  void it("a supervisor filters the audit log and verifies the chain from its page", async () => {
    const { page, context, problems } = await openConsole(browser, `${box.url}/audit`);
    try {
      await signIn(page, box.users.supervisor);
      await page.getByLabel("Action").fill("auth.login");
      await page.getByRole("button", { name: "Filter" }).click();
      await page.waitForURL(/action=auth\.login/);
      const rows = page.getByRole("table", { name: "Audit entries" }).locator("tbody tr");
      await rows.first().waitFor();
      const actions = await rows.locator("td:nth-child(4)").allTextContents();
      assert.ok(actions.length > 0 && actions.every((a) => a === "auth.login"), actions.join(","));
      await page.getByRole("button", { name: "Verify chain" }).click();
      const result =
        (await page.getByRole("status", { name: "Chain verification" }).textContent({ timeout: 30_000 })) ?? "";
      const api = await box.api<{ ok: boolean; checked: number }>("/v1/audit/verify", {
        token: await box.token(box.users.supervisor),
      });
      assert.equal(api.body.ok, true);
      const checked = Number(/(\d+) entries verified/.exec(result)?.[1]);
      assert.match(result, /^Chain intact: \d+ entries verified\.$/);
      assert.ok(checked > 0 && checked <= api.body.checked, `${checked} of ${api.body.checked}`);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  void it("an admin's providers page lists every inference provider as GET /v1/providers does, and filters by state", async () => {
    const { page, context, problems } = await openConsole(browser, `${box.url}/providers`);
    try {
      await signIn(page, box.users.admin);
      const api = await box.api<{ providers: Array<{ id: string; model: string; state: string }> }>("/v1/providers", {
        token: await box.token(box.users.admin),
      });
      assert.ok(api.body.providers.length >= 2, "the detector and the face models each have a provider");
      const table = page.getByRole("table", { name: "Inference providers" });
      await table
        .getByRole("rowheader", { name: api.body.providers[0]?.model ?? "" })
        .first()
        .waitFor();
      const rows = await table
        .locator("tbody tr")
        .evaluateAll((trs: Array<{ children: ArrayLike<{ textContent: string | null }> }>) =>
          trs.map((tr) => [tr.children[0]?.textContent, tr.children[2]?.textContent]),
        );
      assert.deepEqual(
        rows,
        api.body.providers.map((p) => [p.model, p.state]),
      );
      await page.getByRole("combobox", { name: "State" }).selectOption("unhealthy");
      await page.getByText("No provider is unhealthy.").waitFor();
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  void it("each role sees only its pages in the nav; the API refuses the rest with 403 VIGIL_E_FORBIDDEN", async () => {
    const expected = {
      viewer: ["Health", "Live"],
      operator: ["Health", "Live"],
      supervisor: ["Health", "Live", "Watchlist", "Audit log"],
      admin: ["Health", "Live", "Watchlist", "Audit log", "Users", "Providers"],
    } as const;
    for (const role of ["viewer", "operator", "supervisor", "admin"] as const) {
      const { page, context } = await openConsole(browser, `${box.url}/users`);
      try {
        await signIn(page, box.users[role]);
        const links = await page.getByRole("navigation", { name: "Main" }).getByRole("link").allTextContents();
        assert.deepEqual(
          links.filter((l) => ["Health", "Live", "Watchlist", "Audit log", "Users", "Providers"].includes(l)),
          [...expected[role]],
          role,
        );
        if (role !== "admin") await page.getByRole("alert").getByText("This page needs the admin role.").waitFor();
      } finally {
        await context.close();
      }
    }
    const viewer = await box.token(box.users.viewer);
    const operator = await box.token(box.users.operator);
    const refused: Array<[string, string, string, string?]> = [
      [viewer, "GET", "/v1/users"],
      [viewer, "GET", "/v1/audit"],
      [viewer, "GET", "/v1/audit/verify"],
      [operator, "GET", "/v1/watchlist"],
      [operator, "POST", "/v1/watchlist/face-preview", JSON.stringify({ photo: "AAAA" })],
      [
        operator,
        "POST",
        "/v1/users",
        JSON.stringify({ username: "x-user", role: "admin", password: "Whatever-Pass-123!" }),
      ],
      [viewer, "POST", "/v1/diagnose"],
    ];
    for (const [token, method, path, body] of refused) {
      const r = await box.api<{ error: { code: string } }>(path, { method, token, ...(body ? { body } : {}) });
      assert.equal(r.status, 403, `${method} ${path}`);
      assert.equal(r.body.error.code, "VIGIL_E_FORBIDDEN", `${method} ${path}`);
    }
  });

  void it("axe-core finds no WCAG 2.1 A/AA violation on the health, live, users, watchlist and audit pages", async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
    const p = await ctx.newPage();
    p.setDefaultTimeout(15_000);
    try {
      await p.goto(`${box.url}/login`);
      await signIn(p, box.users.admin);
      const found: Record<string, Violation[]> = {};
      const pages: Array<[string, string]> = [
        ["/health", "Health"],
        ["/live?cameras=gate", "Live view"],
        ["/users", "Users"],
        ["/watchlist", "Watchlist"],
        ["/audit", "Audit log"],
        ["/providers", "Providers"],
      ];
      for (const [path, heading] of pages) {
        await p.goto(`${box.url}${path}`);
        await p.getByRole("heading", { name: heading, level: 1 }).waitFor();
        await p.waitForLoadState("networkidle").catch(() => undefined);
        found[path] = await axeViolations(p);
      }
      const bad = Object.entries(found).filter(([, v]) => v.length > 0);
      assert.deepEqual(
        bad.map(([k]) => k),
        [],
        bad.map(([k, v]) => `${k}:\n${describeViolations(v)}`).join("\n\n"),
      );
    } finally {
      await ctx.close();
    }
  });
});
