/**
 * A gateway process for kill -9 tests: `node drain-child.js <dataDir> <brokerUrl> <count>` fills
 * the outbox with `count` incidents the first time (with no broker reachable, so the fill is only
 * setup; a marker file remembers it), prints "FILLED", then drains to the broker, printing
 * "ACKED <n>" every 20 ms, until it is killed.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { appendMany, uplinkStack } from "./uplink-stack.js";

const [dataDir, broker, countArg] = process.argv.slice(2);
if (!dataDir || !broker || !countArg) throw new Error("usage: drain-child <dataDir> <brokerUrl> <count>");
const marker = join(dataDir, "filled");
if (!existsSync(marker)) {
  const offline = uplinkStack(dataDir, ["mqtt://127.0.0.1:1"]);
  await offline.lifecycle.start();
  await appendMany(offline.outbox, Number(countArg));
  await offline.lifecycle.stop();
  writeFileSync(marker, "");
}
process.stdout.write("FILLED\n");
const stack = uplinkStack(dataDir, [broker]);
setInterval(() => process.stdout.write(`ACKED ${stack.publisher.stats.acknowledged}\n`), 20);
await stack.lifecycle.start();
