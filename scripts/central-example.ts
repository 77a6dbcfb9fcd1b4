// The worked example of docs/central.md: a central service that stores every incident exactly
// once, alerts on gaps, and verifies each gateway's audit trail with only its public key.
// Usage: node dist/scripts/central-example.js <broker-url> <data-dir> <dir of <site>_<gateway>.jwk>
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { AuditStreamVerifier, CentralConsumer, type Envelope, type JWK } from "vigil/central";

const [broker = "mqtt://127.0.0.1:1883", dataDir = "./central-data", keysDir = "./gateway-keys"] =
  process.argv.slice(2);
const verifiers = new Map<string, AuditStreamVerifier>();

/** One verifier per gateway, from the public checkpoint key its installer handed over. */
async function verifierFor(e: Envelope): Promise<AuditStreamVerifier> {
  const name = `${e.site}/${e.gateway}`;
  let verifier = verifiers.get(name);
  if (!verifier) {
    const jwk = JSON.parse(await readFile(join(keysDir, `${e.site}_${e.gateway}.jwk`), "utf8")) as JWK;
    verifier = new AuditStreamVerifier(jwk, { site: e.site, gateway: e.gateway });
    verifiers.set(name, verifier);
  }
  return verifier;
}

const consumer = new CentralConsumer(
  { brokers: [broker], clientId: "example-central", dataDir, gapWaitMs: 30_000 },
  async (delivery) => {
    const e = delivery.envelope;
    if (e.stream === "incidents") {
      // Written in the same batch as the dedupe mark: stored once, even across a crash.
      delivery.put(`incident!${e.site}/${e.gateway}/${e.seq}`, e.data);
      console.log(`incident ${e.site}/${e.gateway} #${e.seq} ${e.type}`);
    } else if (e.stream === "audit") {
      const verifier = await verifierFor(e);
      await verifier.add(e);
      if (e.type === "audit.checkpoint") {
        const r = verifier.result();
        console.log(
          r.ok
            ? `audit ${e.site}/${e.gateway}: verified through ${r.verifiedThrough}`
            : `audit ${e.site}/${e.gateway}: PROBLEM ${JSON.stringify(r.problems)}`,
        );
      }
    }
  },
);

consumer.on((event) => {
  // Loss, resets, forgeries and malformed input are never silent.
  if (event.kind === "gap" || event.kind === "reset" || event.kind === "conflict" || event.kind === "invalid")
    console.error(`ALERT ${JSON.stringify(event)}`);
});

await consumer.start();
console.log(`listening on ${broker}`);
process.once("SIGINT", () => void consumer.stop().then(() => process.exit(0)));
