// The console in Debian's Chromium against a real daemon: how it is served, signing in and staying
// signed in across short access tokens, a session ended elsewhere, and logging out.
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { launchChromium, openConsole, signIn } from "../helpers/browser.js";
import { type ConsoleBox, startConsoleBox } from "../helpers/console-box.js";

void describe("console: served by the daemon, sign-in and sessions (Chromium)", () => {
  let box: ConsoleBox;
  let browser: Browser;
  before(async () => {
    // Ten-second access tokens: the console must refresh on its own, several times per test.
    box = await startConsoleBox({
      auth: {
        access_ttl_s: 10,
        argon2: { memory_kib: 19_456, time_cost: 2 },
        rate_limit: {
          per_ip_per_minute: 100_000,
          per_user_per_minute: 100_000,
          login_per_ip_per_minute: 1000,
          login_per_user_per_minute: 1000,
        },
      },
    });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await box?.cleanup();
  });

  void it("GET / serves the console: index.html no-store, fingerprinted assets immutable, a strict CSP, first load within 250 KB gzipped", async () => {
    const index = await fetch(`${box.url}/`);
    assert.equal(index.status, 200);
    assert.equal(index.headers.get("cache-control"), "no-store");
    const csp = index.headers.get("content-security-policy") ?? "";
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
    const html = await index.text();
    assert.doesNotMatch(html, /<script>(?!<\/script>)|<script(?![^>]*src=)[^>]*>[^<]/, "no inline script");
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1] ?? "");
    assert.ok(
      assets.some((a) => a.endsWith(".js")),
      `no script in ${html}`,
    );
    let gz = 0;
    for (const path of assets) {
      const res = await fetch(`${box.url}${path}`);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get("cache-control") ?? "", /max-age=31536000.*immutable|immutable.*max-age=31536000/);
      gz += gzipSync(Buffer.from(await res.arrayBuffer())).byteLength;
    }
    assert.ok(gz <= 250 * 1024, `first load is ${gz} bytes gzipped`);
    assert.equal((await fetch(`${box.url}/incidents/abc`)).status, 200, "a deep link serves the console too");
    assert.equal((await fetch(`${box.url}/assets/nothing-here.js`)).status, 404);
  });

  void it("signs in, keeps the access token in memory only, refreshes from the HttpOnly cookie across expiring tokens and reloads", async () => {
    await box.raiseTamper("gate");
    const { page, context, problems } = await openConsole(browser, box.url);
    try {
      const refreshes: number[] = [];
      page.on("response", (r) => {
        if (r.url().endsWith("/v1/auth/refresh")) refreshes.push(r.status());
      });
      await page.getByRole("heading", { name: "Vigil console" }).waitFor();
      await page.getByLabel("Username").fill(box.users.operator.username);
      await page.getByLabel("Password").fill("not the password");
      await page.getByRole("button", { name: "Sign in" }).click();
      assert.match(await page.getByRole("alert").innerText(), /Wrong username or password/);
      await signIn(page, box.users.operator);
      await page
        .getByRole("option", { name: /Camera gate reported tampering/ })
        .first()
        .waitFor();
      const cookies = await context.cookies();
      const refresh = cookies.find((c) => c.name === "vigil_refresh");
      assert.ok(refresh?.httpOnly, "the refresh token is an HttpOnly cookie");
      assert.equal(refresh.sameSite, "Strict");
      assert.equal(refresh.path, "/v1/auth");
      assert.equal(
        await page.evaluate(
          "JSON.stringify([Object.keys(localStorage), Object.keys(sessionStorage), document.cookie])",
        ),
        '[[],[],""]',
      );

      // Past the first token's life: the console refreshed before it ran out, and still works.
      await page.waitForTimeout(12_000);
      await page.getByRole("link", { name: "KPIs" }).click();
      await page.getByRole("group", { name: "Total" }).waitFor();
      assert.ok(refreshes.filter((s) => s === 200).length >= 1, `refreshes: ${refreshes.join(",")}`);
      assert.equal(
        await page.getByRole("heading", { name: "Vigil console" }).count(),
        0,
        "never sent back to the login page",
      );
      // A reload keeps no token in the page: it resumes from the cookie.
      await page.reload();
      await page.getByRole("group", { name: "Total" }).waitFor();
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  void it("a session ended elsewhere sends the user to sign in, then back to the page they were on; logout ends the session", async () => {
    const { page, context } = await openConsole(browser, box.url);
    try {
      await signIn(page, box.users.supervisor);
      await page.getByRole("link", { name: "My account" }).click();
      await page.getByRole("table", { name: "My sessions" }).getByRole("row").nth(1).waitFor();
      // An admin ends all of the supervisor's sessions.
      const admin = await box.token(box.users.admin);
      const ended = await box.api(`/v1/users/${box.users.supervisor.username}/sessions`, {
        method: "DELETE",
        token: admin,
      });
      assert.ok(ended.status < 300, `end sessions: ${ended.status}`);
      // The next call is refused, the refresh too: to the login page, remembering where the user was going.
      await page.getByRole("link", { name: "KPIs" }).click();
      await page.getByRole("heading", { name: "Vigil console" }).waitFor();
      assert.match(page.url(), /\/login\?next=%2Fkpis/);
      await signIn(page, box.users.supervisor);
      await page.getByRole("heading", { name: "KPIs" }).waitFor();
      assert.match(page.url(), /\/kpis$/);

      let token = "";
      page.on("request", (r) => {
        const h = r.headers().authorization;
        if (h?.startsWith("Bearer ") && h.length > 20) token = h.slice(7);
      });
      await page.getByLabel("Range").selectOption("30d");
      await page.waitForResponse((r) => r.url().includes("range=30d"));
      const cookie = (await context.cookies()).find((c) => c.name === "vigil_refresh")?.value ?? "";
      assert.ok(token && cookie);
      await page.getByRole("button", { name: "Log out" }).click();
      await page.getByRole("heading", { name: "Vigil console" }).waitFor();
      assert.equal((await box.api("/v1/auth/me", { token })).status, 401, "the access token is refused after logout");
      const reuse = await fetch(`${box.url}/v1/auth/refresh`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-vigil-refresh": "cookie", cookie: `vigil_refresh=${cookie}` },
        body: "{}",
      });
      assert.equal(reuse.status, 401, "the refresh cookie is dead too");
      await page.goBack();
      await page.getByRole("heading", { name: "Vigil console" }).waitFor();
    } finally {
      await context.close();
    }
  });
});
