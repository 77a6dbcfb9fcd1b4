// Every route the console reads JSON from has a success response schema in docs/openapi.json, so
// the console's types come from the daemon's document and never from a hand-written guess (a
// route without one makes `GetOk<...>` silently `never`).
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { consoleCalls, toOpenApiPath, type ConsoleCall } from "../helpers/console-api-calls.js";
import { ROOT } from "../helpers/repo-root.js";

type Responses = Record<string, { content?: Record<string, unknown> }>;
type Doc = { paths: Record<string, Record<string, { responses?: Responses }>> };

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await sources(p)));
    else if (/\.tsx?$/.test(e.name) && e.name !== "openapi.gen.ts") out.push(p);
  }
  return out;
}

async function allCalls(): Promise<ConsoleCall[]> {
  const calls: ConsoleCall[] = [];
  for (const f of await sources(join(ROOT, "console", "src")))
    calls.push(...consoleCalls(relative(ROOT, f), await readFile(f, "utf8")));
  return calls;
}

function documented(doc: Doc, call: ConsoleCall): boolean {
  const path = Object.keys(doc.paths).find((p) => p.replace(/\{[^}]*\}/g, "{}") === call.path);
  const op = path === undefined ? undefined : doc.paths[path]?.[call.method.toLowerCase()];
  return Object.entries(op?.responses ?? {}).some(
    ([code, r]) => /^2\d\d$/.test(code) && r.content?.["application/json"] !== undefined,
  );
}

function undocumented(doc: Doc, calls: readonly ConsoleCall[]): string[] {
  return [...new Set(calls.filter((c) => !documented(doc, c)).map((c) => `${c.method} ${c.path}`))];
}

void describe("the console's API calls", () => {
  void it("finds the calls as written (paths, parameters, queries, methods)", () => {
    const src =
      'x = json<A<"q">>(`/v1/providers${s ? `?state=${s}` : ""}`);\ny = json<B>(`${at(id)}/keys`, { method: "POST", body: "" });\nz = json<GetOk<"/v1/audit/{id}">>("/v1/audit?limit=5");';
    assert.deepEqual(
      consoleCalls("f", src).map((c) => `${c.method} ${c.path}`),
      ["GET /v1/providers", "POST /v1/cameras/{}/keys", "GET /v1/audit", "GET /v1/audit/{}"],
    );
    assert.equal(toOpenApiPath("/v1/users/{seg(username)}/sessions"), "/v1/users/{}/sessions");
  });

  void it("every route the console reads JSON from has a 2xx application/json schema in docs/openapi.json", async () => {
    const doc = JSON.parse(await readFile(join(ROOT, "docs", "openapi.json"), "utf8")) as Doc;
    const calls = await allCalls();
    assert.ok(calls.length > 30, `found only ${calls.length} calls: the scanner no longer sees the console's readers`);
    for (const must of ["GET /v1/health", "GET /v1/users", "GET /v1/audit", "GET /v1/watchlist", "GET /v1/providers"])
      assert.ok(
        calls.some((c) => `${c.method} ${c.path}` === must),
        `${must} not found in console/src`,
      );
    assert.deepEqual(
      undocumented(doc, calls),
      [],
      "console routes without a response schema: add one in src/http/routes and `npm run openapi`",
    );
  });

  void it("notices a route that loses its response schema", async () => {
    const doc = JSON.parse(await readFile(join(ROOT, "docs", "openapi.json"), "utf8")) as Doc;
    const health = doc.paths["/v1/health"]?.get?.responses?.["200"];
    assert.ok(health?.content !== undefined);
    delete health.content;
    assert.deepEqual(undocumented(doc, await allCalls()), ["GET /v1/health"]);
  });
});
