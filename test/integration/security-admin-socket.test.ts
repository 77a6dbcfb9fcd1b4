// Issue 15, finding 11: the admin socket is protected by its directory's permissions, so the
// daemon refuses to serve it from a data directory others can enter, and the socket is 0600.
import assert from "node:assert/strict";
import { chmod, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ErrorCodes } from "../../src/core/errors.js";
import { AdminSocket } from "../../src/http/admin-socket.js";
import { expectVigilAsync } from "../helpers/expect-vigil.js";
import { silentLogger } from "../helpers/uplink-stack.js";

void describe("admin socket", () => {
  void it("refuses a data directory that is not 0700, and serves a 0600 socket from one that is", async () => {
    const dir = await mkdtemp(join(tmpdir(), "vigil-sec-sock-"));
    try {
      await chmod(dir, 0o755);
      const open = new AdminSocket(dir, () => ({}), silentLogger());
      const err = await expectVigilAsync(open.start(), ErrorCodes.CONFIG_INVALID);
      assert.match(err.message, /0755/);
      await chmod(dir, 0o700);
      const socket = new AdminSocket(dir, () => ({}), silentLogger());
      await socket.start();
      try {
        assert.equal((await stat(socket.path)).mode & 0o777, 0o600);
      } finally {
        await socket.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
