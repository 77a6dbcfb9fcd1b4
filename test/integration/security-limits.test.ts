// Issue 15, finding 3: only the frames route takes a frame-sized JPEG body; every other route
// answers 415 or 413 before reading one (a real socket shows whether the server waited for it).
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { ErrorCodes } from "../../src/core/errors.js";
import { type AuthStack, openAuthStack } from "../helpers/auth-stack.js";
import { errorCode } from "../helpers/auth-client.js";
import { statusBeforeBody } from "../helpers/raw-request.js";

let dir: string;
let stack: AuthStack;
let port: number;
const FOUR_MB = 4 * 1024 * 1024;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "vigil-sec-limits-"));
  stack = await openAuthStack(dir);
  await stack.app.listen({ host: "127.0.0.1", port: 0 });
  port = (stack.app.server.address() as AddressInfo).port;
});
after(async () => {
  await stack.close();
  await rm(dir, { recursive: true, force: true });
});

void describe("request bodies", () => {
  void it("an image/jpeg body on the login route is 415, not buffered up to the frame limit", async () => {
    const r = await stack.app.inject({ method: "POST", url: "/v1/auth/login", headers: { "content-type": "image/jpeg" }, payload: Buffer.alloc(FOUR_MB - 1024, 0xff), remoteAddress: "10.31.0.1" });
    assert.equal(r.statusCode, 415);
    assert.equal(errorCode(r), ErrorCodes.UNSUPPORTED_MEDIA_TYPE);
  });

  void it("the answer comes before the body is sent: 415 for a JPEG, 413 for oversize JSON", async () => {
    const jpeg = await statusBeforeBody(port, { method: "POST", path: "/v1/auth/login", contentType: "image/jpeg", contentLength: FOUR_MB - 1024, sendBytes: 1024, waitMs: 3000 });
    assert.equal(jpeg, 415, "answered without waiting for the 4 MB");
    const json = await statusBeforeBody(port, { method: "POST", path: "/v1/auth/refresh", contentType: "application/json", contentLength: FOUR_MB - 1024, sendBytes: 1024, waitMs: 3000 });
    assert.equal(json, 413);
  });

  void it("the frames route still takes a frame-sized JPEG (after the camera is authenticated)", async () => {
    const r = await statusBeforeBody(port, { method: "POST", path: "/v1/ingest/lobby/frames", contentType: "image/jpeg", contentLength: FOUR_MB - 1024, sendBytes: 1024, waitMs: 3000 });
    assert.equal(r, 401, "no key: refused before the body is read");
  });
});
