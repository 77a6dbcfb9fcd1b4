// Issue 15, finding 11: the admin socket is protected by its directory's permissions, so the
// daemon refuses to serve it from a data directory others can enter, and the socket is 0600; the
// audit actor is the user the kernel says the caller runs as, never the name it claims.
import assert from "node:assert/strict";
import { request } from "node:http";
import { chmod, chown, mkdtemp, rm, stat, symlink, writeFile } from "node:fs/promises";
import { userInfo } from "node:os";
import { Type } from "@sinclair/typebox";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ErrorCodes } from "../../src/core/errors.js";
import { AdminSocket } from "../../src/http/admin-socket.js";
import { proofFileName, userNameOf } from "../../src/http/peer-proof.js";
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

/** One POST on the socket, answered as JSON. */
function post(
  socketPath: string,
  path: string,
  body: unknown,
): Promise<{ status: number; body: { nonce?: string; result?: { actor: string }; error?: { code: string } } }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath, path, method: "POST", headers: { "content-type": "application/json" } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as never }),
        );
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

void describe("admin socket: who is calling", () => {
  const whoami = {
    whoami: {
      summary: "the audit actor",
      args: Type.Object({}),
      run: async (_args: unknown, ctx: { actor: string }) => ({ actor: ctx.actor }),
    },
  };

  void it("takes the actor from the proof file's owner, ignores a claimed name, and refuses missing, reused, linked or late proofs", async () => {
    const dir = await mkdtemp(join(tmpdir(), "vigil-sec-peer-"));
    await chmod(dir, 0o700);
    const socket = new AdminSocket(dir, () => whoami, silentLogger());
    await socket.start();
    const prove = async (create: (file: string) => Promise<void>): Promise<string> => {
      const { body } = await post(socket.path, "/challenge", {});
      assert.match(body.nonce ?? "", /^[0-9a-f]{32}$/);
      await create(join(dir, proofFileName(body.nonce ?? "")));
      return body.nonce ?? "";
    };
    const plain = (file: string) => writeFile(file, "", { flag: "wx", mode: 0o600 });
    try {
      const me = userInfo().username;
      // The claimed actor is ignored: the kernel's owner of the proof file counts.
      const ok = await post(socket.path, "/ops/whoami", { actor: "mallory", proof: await prove(plain), args: {} });
      assert.equal(ok.status, 200);
      assert.equal(ok.body.result?.actor, `cli:${me}`);
      // A file owned by another user (root can make one) is that user: the uid comes from the file.
      if (process.getuid?.() === 0) {
        const nobody = await post(socket.path, "/ops/whoami", {
          proof: await prove(async (f) => {
            await plain(f);
            await chown(f, 65534, 65534);
          }),
          args: {},
        });
        assert.equal(nobody.body.result?.actor, `cli:${await userNameOf(65534)}`);
      }
      // No proof, a proof never created, a reused nonce, a symlink to another file: all refused.
      const none = await post(socket.path, "/ops/whoami", { actor: "root", args: {} });
      assert.deepEqual([none.status, none.body.error?.code], [401, ErrorCodes.UNAUTHENTICATED]);
      const missing = await post(socket.path, "/ops/whoami", { proof: await prove(async () => {}), args: {} });
      assert.deepEqual([missing.status, missing.body.error?.code], [401, ErrorCodes.UNAUTHENTICATED]);
      const used = await prove(plain);
      assert.equal((await post(socket.path, "/ops/whoami", { proof: used, args: {} })).status, 200);
      await plain(join(dir, proofFileName(used)));
      assert.equal((await post(socket.path, "/ops/whoami", { proof: used, args: {} })).status, 401);
      await writeFile(join(dir, "someone-elses"), "");
      const linked = await post(socket.path, "/ops/whoami", {
        proof: await prove((f) => symlink(join(dir, "someone-elses"), f)),
        args: {},
      });
      assert.equal(linked.status, 401);
    } finally {
      await socket.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
