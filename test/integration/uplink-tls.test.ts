import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { gatewayTopics } from "../../src/contract/topics.js";
import { MqttUplink } from "../../src/sync/mqtt-uplink.js";
import { startMosquitto } from "../helpers/mosquitto.js";
import { makeTestPki } from "../helpers/test-pki.js";
import { silentLogger } from "../helpers/uplink-stack.js";

const topics = gatewayTopics("vigil", "hq", "gw-01");

function uplink(url: string, tls: { ca: string; cert: string; key: string }): MqttUplink {
  return new MqttUplink(
    {
      brokers: [url],
      clientId: "vigil-hq-gw-01",
      keepaliveS: 30,
      sessionExpiryS: 60,
      failbackProbeMs: 30_000,
      tls,
      version: "test",
    },
    topics,
    silentLogger(),
  );
}

void describe("uplink over mutual TLS (real mosquitto requiring client certificates)", () => {
  void it("connects and publishes with the gateway's certificate; a certificate from another CA is refused", async () => {
    const pki = await makeTestPki("vigil-hq-gw-01");
    const broker = await startMosquitto({ tls: { ca: pki.ca, cert: pki.server.cert, key: pki.server.key } });
    const good = uplink(broker.url, { ca: pki.ca, ...pki.client });
    const bad = uplink(broker.url, { ca: pki.ca, ...pki.rogue });
    try {
      await good.start();
      for (let i = 0; i < 200 && !good.connected; i++) await sleep(25);
      assert.equal(good.connected, true, `not connected: ${JSON.stringify(good.state)}`);
      assert.equal(broker.url.startsWith("mqtts://"), true);
      // The broker accepted our identity; a PUBACK proves the session is usable end to end.
      await good.publish(`${topics.base}/probe`, "hello");

      await bad.start();
      await sleep(1500);
      assert.equal(bad.connected, false);
      assert.equal(bad.state.brokers[0]?.state, "down");
      assert.ok(bad.state.brokers[0]?.lastError, "the refusal is reported");
    } finally {
      await bad.stop();
      await good.stop();
      await broker.stop();
      await pki.cleanup();
    }
  });
});
