// An incident raised by the real detector from pushed JPEGs, as the console shows it (Chromium):
// the snapshot with the objects' boxes and the zone drawn over it, the objects, the timeline;
// and the queue at tablet width.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { launchChromium, openConsole, signIn, snapshotsLoaded } from "../helpers/browser.js";
import { type ConsoleBox, GATE_ZONE, startConsoleBox } from "../helpers/console-box.js";

void describe("console: an incident's evidence on screen (Chromium, real daemon and detector)", () => {
  let box: ConsoleBox;
  let browser: Browser;
  before(async () => {
    box = await startConsoleBox();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await box?.cleanup();
  });

  void it("draws the detected people's boxes and the zone over the snapshot, and lists the objects", async () => {
    const incident = await box.raiseIntrusion();
    assert.ok((incident.snapshots?.length ?? 0) >= 1, "the rule took a snapshot");
    const { page, context, problems } = await openConsole(browser, `${box.url}/incidents/${incident.id}`);
    try {
      await signIn(page, box.users.viewer);
      const img = page.getByRole("img", { name: /^Snapshot 1 of \d+/ });
      await img.waitFor();
      await snapshotsLoaded(page);
      const overlay = page
        .getByRole("img", { name: new RegExp(`^${incident.objects.length} detected objects and zone Floor$`) })
        .first();
      // The DOM as far as this test needs it (the test project has no DOM types).
      type Attrs = { getAttribute(name: string): string | null };
      const drawn = await overlay.evaluate(
        (svg: { querySelectorAll(s: string): ArrayLike<Attrs>; querySelector(s: string): Attrs | null }) => ({
          boxes: Array.from(svg.querySelectorAll("rect.box")).map((r) =>
            ["x", "y", "width", "height"].map((a) => Number(r.getAttribute(a))),
          ),
          zone: svg.querySelector("polygon.zone")?.getAttribute("points") ?? "",
        }),
      );
      const expected = incident.objects.map((o) => [o.box.x1, o.box.y1, o.box.x2 - o.box.x1, o.box.y2 - o.box.y1]);
      const got = drawn.boxes;
      assert.equal(got.length, expected.length);
      got.forEach((b, k) => b.forEach((v, j) => assert.ok(Math.abs(v - (expected[k]?.[j] ?? NaN)) < 1e-9, `box ${k}`)));
      assert.equal(drawn.zone, GATE_ZONE.polygon.map(([x, y]) => `${x},${y}`).join(" "));
      const rows = await page.getByRole("table").locator("tbody tr").allTextContents();
      assert.ok(rows.length === incident.objects.length && rows.every((r) => r.startsWith("person")), rows.join(" | "));
      await page
        .getByRole("list", { name: "History" })
        .getByText(/system created: open/)
        .waitFor();
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  void it("the queue works at tablet width (768): no sideways scrolling, the list and its shortcuts in view", async () => {
    const { page, context } = await openConsole(browser, `${box.url}/incidents`, { width: 768, height: 1024 });
    try {
      await signIn(page, box.users.operator);
      await page
        .getByRole("listbox", { name: /Incidents/ })
        .getByRole("option")
        .first()
        .waitFor();
      assert.equal(await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), true);
      assert.ok(await page.getByRole("button", { name: "Dismiss… (d)" }).isVisible());
    } finally {
      await context.close();
    }
  });
});
