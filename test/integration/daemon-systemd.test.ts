// The daemon under a stand-in for systemd's notify socket: status while starting, READY=1 only
// once the store, model and cameras are ready, WATCHDOG=1 pings at half of WATCHDOG_USEC while its
// loops move, STOPPING=1 on SIGTERM and a clean exit.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { provisionBox, startDaemon } from "../helpers/daemon.js";
import { freePort } from "../helpers/free-port.js";
import { listenNotifySocket } from "../helpers/notify-socket.js";

void describe("systemd notify protocol (daemon)", () => {
  void it("reports status, READY=1 once ready, watchdog pings, and STOPPING=1 on SIGTERM", async () => {
    const box = await provisionBox({ site: "hq", gateway: "gw-sd", http: { listen: `127.0.0.1:${await freePort()}` } });
    const socket = await listenNotifySocket(join(box.dir, "notify.sock"));
    try {
      const daemon = startDaemon(box.configPath, { NOTIFY_SOCKET: socket.path, WATCHDOG_USEC: "1000000" });
      const ready = await socket.waitFor((m) => m.fields.READY === "1", 30_000);
      assert.match(ready.fields.STATUS ?? "", /^ready/);
      assert.ok(socket.messages.findIndex((m) => m.fields.READY === "1") >= 1, "a STATUS came before READY=1");
      assert.ok(
        socket.messages.slice(0, socket.messages.indexOf(ready)).every((m) => m.fields.WATCHDOG === undefined),
        "no ping before READY=1",
      );
      const from = socket.messages.length;
      await socket.waitFor((m) => m.fields.WATCHDOG === "1", 5_000, from);
      const second = socket.messages.findIndex((m, i) => i > from && m.fields.WATCHDOG === "1");
      await socket.waitFor((m) => m.fields.WATCHDOG === "1", 5_000, second >= 0 ? second + 1 : from + 1);
      daemon.signal("SIGTERM");
      await socket.waitFor((m) => m.fields.STOPPING === "1", 10_000);
      assert.equal(await daemon.exited, 0);
    } finally {
      await socket.close();
      await box.cleanup();
    }
  });
});
