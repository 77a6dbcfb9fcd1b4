// Issue 15, finding 10: MQTT without authentication or TLS only where it cannot be reached from
// the network, or where the installer says they mean it. One validation path: `vigil config
// check` and `vigil run` both go through buildConfig.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildConfig } from "../../src/config/loader.js";
import { plainNetworkBrokers } from "../../src/config/mqtt-rules.js";
import { ErrorCodes } from "../../src/core/errors.js";

const BASE = { site: "hq", gateway: "gw-01" };
const refusedAt = (raw: Record<string, unknown>, path: string): void => {
  assert.throws(
    () => buildConfig({ ...BASE, ...raw }, {}, "/tmp"),
    (err: { code?: string; details?: { path?: string } }) =>
      err.code === ErrorCodes.CONFIG_INVALID && err.details?.path === path,
    JSON.stringify(raw),
  );
};

void describe("MQTT transport", () => {
  void it("the embedded broker listens on loopback only", () => {
    refusedAt({ mqtt: { embedded: { enabled: true, listen: "0.0.0.0:1883" } } }, "mqtt.embedded.listen");
    refusedAt({ mqtt: { embedded: { enabled: true, listen: "10.0.0.2:1883" } } }, "mqtt.embedded.listen");
    for (const listen of ["127.0.0.1:1883", "[::1]:1883", "localhost:1883"])
      buildConfig({ ...BASE, mqtt: { embedded: { enabled: true, listen } } }, {}, "/tmp");
  });

  void it("a plaintext broker on the network is refused unless mqtt.allow_plain says so", () => {
    for (const url of ["mqtt://central.example:1883", "tcp://10.0.0.9:1883", "ws://10.0.0.9:8083/mqtt"]) {
      refusedAt({ mqtt: { brokers: ["mqtts://a.example:8883", url] } }, "mqtt.brokers[1]");
      const allowed = buildConfig({ ...BASE, mqtt: { brokers: [url], allow_plain: true } }, {}, "/tmp");
      assert.deepEqual(plainNetworkBrokers(allowed), [url], "named in the start log");
    }
    for (const url of [
      "mqtts://central.example:8883",
      "wss://c.example/mqtt",
      "ssl://c.example:8883",
      "mqtt://127.0.0.1:1883",
      "mqtt://[::1]:1883",
    ]) {
      buildConfig({ ...BASE, mqtt: { brokers: [url] } }, {}, "/tmp");
    }
  });
});
