// docs/openapi.json is the document a real daemon serves at GET /v1/openapi.json: the console's
// typed client is generated from the file, so a stale file would let a route change slip past.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { servedOpenApi } from "../helpers/openapi-daemon.js";
import { ROOT } from "../helpers/repo-root.js";

void describe("OpenAPI document", () => {
  void it("docs/openapi.json is current (regenerate with `npm run build && npm run openapi`)", async () => {
    const served = await servedOpenApi();
    const committed = await readFile(join(ROOT, "docs", "openapi.json"), "utf8");
    assert.ok(
      served === committed,
      "docs/openapi.json differs from what the daemon serves: run `npm run openapi` and commit it",
    );
    const doc = JSON.parse(served) as {
      openapi: string;
      paths: Record<string, Record<string, { security?: unknown; "x-vigil-access"?: string }>>;
    };
    assert.equal(doc.openapi, "3.1.0");
    assert.equal(doc.paths["/v1/incidents/{id}/approve"]?.post?.["x-vigil-access"], "role:supervisor");
    assert.equal(doc.paths["/v1/auth/login"]?.post?.["x-vigil-access"], "public");
    assert.ok(!Object.keys(doc.paths).includes("/assets/*"), "the console's files are not API");
  });
});
