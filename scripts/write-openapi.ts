// Writes docs/openapi.json from a real daemon's GET /v1/openapi.json (run after `npm run build`:
// `npm run openapi`). The console's typed client is generated from that file at build time, and
// test/integration/console-openapi.test.ts fails while the file is not current.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { servedOpenApi } from "../test/helpers/openapi-daemon.js";
import { ROOT } from "../test/helpers/repo-root.js";

const doc = await servedOpenApi();
await writeFile(join(ROOT, "docs", "openapi.json"), doc);
console.log(`docs/openapi.json: ${doc.length} bytes`);
