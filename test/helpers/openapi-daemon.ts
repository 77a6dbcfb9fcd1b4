import { freePort } from "./free-port.js";
import { provisionBox } from "./daemon.js";

/**
 * The OpenAPI document a real daemon serves, with every optional route module on (a push camera,
 * the watchlist, evidence): what docs/openapi.json holds and what the console's client is typed from.
 */
export async function servedOpenApi(): Promise<string> {
  const port = await freePort();
  const box = await provisionBox({
    site: "docs",
    gateway: "gw-docs",
    log: { level: "info" },
    http: { listen: `127.0.0.1:${port}` },
    mqtt: { brokers: [] },
    faces: { enabled: true },
    cameras: [{ id: "door", url: "http://127.0.0.1:9/push", enabled: false }],
  });
  try {
    const daemon = box.start();
    await daemon.waitForLog((l) => l.msg === "http listening", 60_000);
    const res = await fetch(`http://127.0.0.1:${port}/v1/openapi.json`);
    if (!res.ok) throw new Error(`GET /v1/openapi.json: ${res.status}`);
    return `${JSON.stringify(await res.json(), null, 2)}\n`;
  } finally {
    await box.cleanup();
  }
}
