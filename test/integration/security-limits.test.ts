// Issue 15, finding 3: only the frames route takes a frame-sized JPEG body; every other route
// answers 415 or 413 before reading one (a real socket shows whether the server waited for it).
// Finding 14: expensive routes have small limits of their own, and the public /readyz names
// nothing to anonymous callers.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { ErrorCodes } from "../../src/core/errors.js";
import { type AuthStack, openAuthStack } from "../helpers/auth-stack.js";
import { addUser, bearer, errorCode, loginOk } from "../helpers/auth-client.js";
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
    const r = await stack.app.inject({
      method: "POST",
      url: "/v1/auth/login",
      headers: { "content-type": "image/jpeg" },
      payload: Buffer.alloc(FOUR_MB - 1024, 0xff),
      remoteAddress: "10.31.0.1",
    });
    assert.equal(r.statusCode, 415);
    assert.equal(errorCode(r), ErrorCodes.UNSUPPORTED_MEDIA_TYPE);
  });

  void it("the answer comes before the body is sent: 415 for a JPEG, 413 for oversize JSON", async () => {
    const jpeg = await statusBeforeBody(port, {
      method: "POST",
      path: "/v1/auth/login",
      contentType: "image/jpeg",
      contentLength: FOUR_MB - 1024,
      sendBytes: 1024,
      waitMs: 3000,
    });
    assert.equal(jpeg, 415, "answered without waiting for the 4 MB");
    const json = await statusBeforeBody(port, {
      method: "POST",
      path: "/v1/auth/refresh",
      contentType: "application/json",
      contentLength: FOUR_MB - 1024,
      sendBytes: 1024,
      waitMs: 3000,
    });
    assert.equal(json, 413);
  });

  void it("the frames route still takes a frame-sized JPEG (after the camera is authenticated)", async () => {
    const r = await statusBeforeBody(port, {
      method: "POST",
      path: "/v1/ingest/lobby/frames",
      contentType: "image/jpeg",
      contentLength: FOUR_MB - 1024,
      sendBytes: 1024,
      waitMs: 3000,
    });
    assert.equal(r, 401, "no key: refused before the body is read");
  });
});

void describe("expensive routes", () => {
  void it("audit verify, incident listing and KPI summaries have per-user limits of their own (429 with Retry-After)", async () => {
    await addUser(stack.auth, "sup", "supervisor");
    const token = (await loginOk(stack.app, "sup", undefined, "10.32.0.1")).access_token;
    const hit = async (url: string, times: number) => {
      let last = await stack.app.inject({ method: "GET", url, headers: bearer(token), remoteAddress: "10.32.0.1" });
      for (let i = 1; i < times; i++)
        last = await stack.app.inject({ method: "GET", url, headers: bearer(token), remoteAddress: "10.32.0.1" });
      return last;
    };
    assert.equal((await hit("/v1/audit/verify", 2)).statusCode, 200);
    const verify = await hit("/v1/audit/verify", 1);
    assert.equal(verify.statusCode, 429);
    assert.equal(errorCode(verify), ErrorCodes.RATE_LIMITED);
    assert.ok(Number(verify.headers["retry-after"]) > 0);
    assert.equal((await hit("/v1/metrics/summary?range=7d", 13)).statusCode, 429);
    assert.equal((await hit("/v1/incidents", 61)).statusCode, 429);
  });

  void it("/readyz gives anonymous callers the status and a count; a signed-in viewer the reasons", async () => {
    const anonymous = await stack.app.inject({ method: "GET", url: "/readyz" });
    assert.deepEqual(Object.keys(anonymous.json<object>()).sort(), ["ready", "reason_count"]);
    await addUser(stack.auth, "eyes", "viewer");
    const token = (await loginOk(stack.app, "eyes", undefined, "10.32.0.2")).access_token;
    const signedIn = await stack.app.inject({ method: "GET", url: "/readyz", headers: bearer(token) });
    assert.deepEqual(Object.keys(signedIn.json<object>()).sort(), ["ready", "reasons"]);
    const forged = await stack.app.inject({ method: "GET", url: "/readyz", headers: bearer("a.b.c") });
    assert.deepEqual(Object.keys(forged.json<object>()).sort(), ["ready", "reason_count"]);
  });
});
