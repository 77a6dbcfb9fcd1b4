// The free-space policy of StoreSpace on a real LevelDB, with the free space read from a number
// the test sets (the daemon reads statfs; daemon-store-full.test.ts fills a real tmpfs): which
// writes are refused at which level, the one alert, and the recovery: a reopen in place when no
// failed write reached the disk, an exit for systemd when one did.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { isVigilError } from "../../src/core/errors.js";
import { StoreSpace } from "../../src/store/store-space.js";
import type { WriteOp } from "../../src/store/group-commit.js";
import { openStoreStack } from "../helpers/store-stack.js";
import { silentLogger } from "../helpers/uplink-stack.js";

const MIB = 2 ** 20;
const ioError = Object.assign(new Error("IO error: /data/db/000005.log: No space left on device"), {
  code: "LEVEL_IO_ERROR",
});

async function withSpace(
  work: (s: {
    space: StoreSpace;
    setFree: (b: number) => void;
    alerts: unknown[];
    unsafe: string[];
    stack: Awaited<ReturnType<typeof openStoreStack>>;
  }) => Promise<void>,
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "vigil-store-space-"));
  const stack = await openStoreStack(dir);
  let free = 100 * MIB;
  const alerts: unknown[] = [];
  const unsafe: string[] = [];
  const space = new StoreSpace(stack.db, {
    reserveBytes: 8 * MIB,
    checkIntervalMs: 3_600_000,
    alert: async (d) => void alerts.push(d),
    onUnsafe: (r) => void unsafe.push(r),
    log: silentLogger(),
    freeBytes: async () => free,
  });
  stack.commits.guard = space;
  stack.outbox.spaceGuard = space;
  try {
    await space.start();
    await work({ space, setFree: (b) => (free = b), alerts, unsafe, stack });
  } finally {
    await space.stop();
    await stack.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const refusedWith = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return isVigilError(err) ? `${err.code} ${String(err.details?.retry_after_s)}` : String(err);
  }
};

void describe("StoreSpace (free-space reserve, LevelDB)", () => {
  void it("refuses alerts below the reserve and new incidents below half of it, alerts once, and lets the rest through", async () => {
    await withSpace(async ({ space, setFree, alerts, stack }) => {
      assert.equal(
        refusedWith(() => space.admit("alert")),
        undefined,
      );
      setFree(6 * MIB);
      await space.check();
      assert.equal(
        refusedWith(() => space.admit("alert")),
        "VIGIL_E_STORE_FULL 60",
      );
      assert.equal(
        refusedWith(() => space.admit("incident")),
        undefined,
      );
      await assert.rejects(
        stack.outbox.append("alerts", "camera.event", {}),
        (e: unknown) => isVigilError(e) && e.code === "VIGIL_E_STORE_FULL",
      );
      // What the reserve is for still goes through: audit, and anything that is not an alert.
      await stack.outbox.append("audit", "audit.entry", { ok: true });
      assert.match(
        space.problem() ?? "",
        /below its free-space reserve: 6\.0 MiB free, reserve 8\.0 MiB; new alerts refused/,
      );
      setFree(3 * MIB);
      await space.check();
      assert.equal(
        refusedWith(() => space.admit("incident")),
        "VIGIL_E_STORE_FULL 60",
      );
      assert.equal(alerts.length, 1, "one store.full alert per episode");
      setFree(20 * MIB);
      await space.check();
      assert.equal(space.problem(), undefined);
      assert.equal(
        refusedWith(() => space.admit("alert")),
        undefined,
      );
    });
  });

  void it("after an I/O error refuses every batch, and reopens the store in place once space is back", async () => {
    await withSpace(async ({ space, setFree, unsafe, stack }) => {
      const op: WriteOp = { type: "put", sublevel: stack.db.sublevels.meta, key: "probe", value: { n: 1 } };
      setFree(0);
      space.failed(ioError, [op]);
      assert.equal(space.cannotWrite, true);
      await assert.rejects(
        stack.commits.commit([op]),
        (e: unknown) => isVigilError(e) && e.code === "VIGIL_E_STORE_FULL",
      );
      await space.check();
      assert.equal(space.cannotWrite, true, "not reopened while still full");
      setFree(50 * MIB);
      await space.check();
      assert.deepEqual([space.cannotWrite, space.recoveries, unsafe], [false, 1, []]);
      await stack.commits.commit([{ ...op, sublevel: stack.db.sublevels.meta }]);
      assert.deepEqual(await stack.db.sublevels.meta.get("probe"), { n: 1 });
    });
  });

  void it("exits for systemd when a batch reported as failed is on disk after the reopen", async () => {
    await withSpace(async ({ space, setFree, unsafe, stack }) => {
      const op: WriteOp = { type: "put", sublevel: stack.db.sublevels.meta, key: "landed", value: { seq: 7 } };
      space.failed(ioError, [op]);
      // As if LevelDB had logged the batch before the error surfaced: the daemon undid it in memory, the disk has it.
      await stack.db.level.batch([
        { type: "put", sublevel: stack.db.sublevels.meta, key: "landed", value: { seq: 7 } },
      ]);
      setFree(50 * MIB);
      await space.check();
      assert.equal(unsafe.length, 1);
      assert.match(unsafe[0] ?? "", /reported as failed is on disk \(landed\)/);
    });
  });

  void it("ignores errors that are not I/O errors (a malformed batch does not stop the store)", async () => {
    await withSpace(async ({ space }) => {
      space.failed(new Error("refused write: empty key"), []);
      assert.equal(space.cannotWrite, false);
    });
  });
});
