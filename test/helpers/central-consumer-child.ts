// A central consumer process for kill -9 tests: the application records every delivery in the
// consumer's own LevelDB (same batch as the dedupe mark) and keeps a count of deliveries per id,
// so a second delivery of anything shows up as a count of 2. Prints one JSON line per event.
// argv: <brokers comma-separated> <dataDir> <clientId> <gapWaitMs> <group|-> [partition ...]
import { CentralConsumer } from "../../src/central/consumer.js";

const [brokers = "", dataDir = "", clientId = "", gapWaitMs = "60000", group = "-", ...partitions] =
  process.argv.slice(2);
const consumer = new CentralConsumer(
  {
    brokers: brokers.split(","),
    dataDir,
    clientId,
    gapWaitMs: Number(gapWaitMs),
    ...(partitions.length > 0 ? { partitions } : {}),
    ...(group === "-" ? {} : { group }),
  },
  async (delivery) => {
    const { envelope } = delivery;
    const key = `${envelope.site}/${envelope.gateway}/${envelope.stream}/${envelope.seq.toString().padStart(10, "0")}`;
    const seen = await consumer.appStore.get(`count!${envelope.id}`);
    delivery.put(`count!${envelope.id}`, typeof seen === "number" ? seen + 1 : 1);
    delivery.put(`msg!${key}`, envelope);
  },
);
consumer.on((event) => process.stdout.write(`${JSON.stringify(event)}\n`));
await consumer.start();
process.on("SIGTERM", () => void consumer.stop().then(() => process.exit(0)));
