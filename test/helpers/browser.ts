import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

/** Debian's Chromium, driven by playwright-core (no browser download; see ../shared FACTS). */
export const CHROMIUM = "/usr/bin/chromium";

// Without the background-networking flags Chromium keeps dialling hosts this network refuses.
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * A fresh browser: playwright's launch() gives every run its own temporary --user-data-dir, so no
 * cookie or cache crosses from one run (or test file) to the next.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS, timeout: 60_000 });
}

export interface ConsolePage {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Content-Security-Policy violations and page errors seen so far (a test asserts none). */
  readonly problems: string[];
}

/** A new context (its own cookies) and page, at 1280x800 unless told. */
export async function openConsole(
  browser: Browser,
  url: string,
  viewport = { width: 1280, height: 800 },
  prepare?: (context: BrowserContext) => Promise<void>,
): Promise<ConsolePage> {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  await prepare?.(context);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(url);
  return { context, page, problems };
}

/** Signs in through the login form, as a person would. */
export async function signIn(page: Page, user: { username: string; password: string }): Promise<void> {
  try {
    await page.getByLabel("Username").waitFor();
  } catch (err) {
    throw new Error(
      `no login form at ${page.url()}; the page says: ${(await page.locator("body").innerText()).slice(0, 500)}`,
      { cause: err },
    );
  }
  await page.getByLabel("Username").fill(user.username);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Log out" }).waitFor();
}

/**
 * Waits until every snapshot image on the page has loaded. Polled from Node with a function (not a
 * string): the console's CSP forbids eval, which string predicates would need.
 */
export async function snapshotsLoaded(page: Page): Promise<void> {
  const images = page.locator(".snapshot img");
  await images.first().waitFor();
  for (let i = 0; i < 100; i++) {
    const loaded = await images.evaluateAll((els: Array<{ complete: boolean; naturalWidth: number }>) =>
      els.every((e) => e.complete && e.naturalWidth > 0),
    );
    if (loaded) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("snapshot images did not load");
}
