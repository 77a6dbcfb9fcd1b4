/**
 * A gateway process for kill -9 tests: `node drain-child.js <dataDir> <brokerUrl> <count>` appends
 * `count` incidents the first time (a marker file remembers), prints "FILLED", then drains to the
 * broker and prints "ACKED <n>" every 100 ms, until it is killed.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { appendMany, uplinkStack } from "./uplink-stack.js";

const [dataDir, broker, countArg] = process.argv.slice(2);
if (!dataDir || !broker || !countArg) throw new Error("usage: drain-child <dataDir> <brokerUrl> <count>");
const stack = uplinkStack(dataDir, [broker]);
await stack.lifecycle.start();
const marker = join(dataDir, "filled");
if (!existsSync(marker)) {
  await appendMany(stack.outbox, Number(countArg));
  writeFileSync(marker, "");
}
process.stdout.write("FILLED\n");
setInterval(() => process.stdout.write(`ACKED ${stack.publisher.stats.acknowledged}\n`), 100);
