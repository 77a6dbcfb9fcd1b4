import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { CompactSign, exportSPKI, generateKeyPair, type JWK } from "jose";
import { connectAsync } from "mqtt";
import { verifyCheckpoint } from "../../src/audit/checkpoint.js";
import type { Envelope } from "../../src/contract/envelope.js";
import type { AuditEntry } from "../../src/contract/audit.js";
import type { CommandResult } from "../../src/contract/command.js";
import { provisionBox, runCli } from "../helpers/daemon.js";
import { freePort } from "../helpers/free-port.js";
import { startMosquitto } from "../helpers/mosquitto.js";
import { collectMqtt, type CollectedMessage } from "../helpers/mqtt-collector.js";

const SITE = "hq";
const GATEWAY = "gw-cmd";
const BASE = `vigil/${SITE}/${GATEWAY}`;

void describe("central commands and the audit trail, end to end (daemon, mosquitto)", () => {
  void it("signed commands run once and answer; unsigned, foreign and replayed ones are handled as documented; everything is audited", async () => {
    const central = await generateKeyPair("EdDSA", { extractable: true });
    const sign = async (claims: Record<string, unknown>): Promise<string> =>
      new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
        .setProtectedHeader({ alg: "EdDSA" })
        .sign(central.privateKey);
    const now = (): number => Math.floor(Date.now() / 1000);
    const claims = (name: string, over: Record<string, unknown> = {}) => ({
      id: randomUUID(),
      name,
      aud: `${SITE}/${GATEWAY}`,
      iat: now(),
      exp: now() + 60,
      args: {},
      ...over,
    });

    const broker = await startMosquitto();
    const httpPort = await freePort();
    const box = await provisionBox({
      site: SITE,
      gateway: GATEWAY,
      http: { listen: `127.0.0.1:${httpPort}` },
      mqtt: { brokers: [broker.url] },
      commands: { key_file: "central.pem" },
      cameras: [{ id: "lobby", url: "rtsp://127.0.0.1:9/none", enabled: false }],
      audit: { checkpoint_interval_s: 3600 },
    });
    await writeFile(join(box.dir, "central.pem"), await exportSPKI(central.publicKey));
    const collector = await collectMqtt(broker.url, `${BASE}/#`);
    const central_ = await connectAsync(broker.url, { clientId: "central-test" });
    const isResult = (name: string, id: string | null) => (m: CollectedMessage) =>
      m.topic === `${BASE}/cmd_result/${name}` && (m.json() as CommandResult).id === id;
    const auditEntries = (): AuditEntry[] =>
      collector.messages
        .filter((m) => m.topic === `${BASE}/audit` && (m.json() as Envelope).type === "audit.entry")
        .map((m) => (m.json() as Envelope<AuditEntry>).data);
    try {
      // A push camera's key, made before the daemon starts (the CLI opens the store itself).
      const made = await runCli(["key", "create", "--camera", "lobby", "--config", box.configPath, "--json"]);
      assert.equal(made.code, 0, made.stdout + made.stderr);
      const {
        key: cameraKey,
        api_key: { key_id: keyId },
      } = JSON.parse(made.stdout) as { key: string; api_key: { key_id: string } };
      const pushEvent = async () =>
        (
          await fetch(`http://127.0.0.1:${httpPort}/v1/ingest/lobby/events`, {
            method: "POST",
            headers: { authorization: `ApiKey ${cameraKey}`, "content-type": "application/json" },
            body: JSON.stringify({ type: "tamper" }),
          })
        ).status;
      const daemon = box.start();
      await collector.waitFor(
        (m) => m.topic === `${BASE}/status` && (m.json() as { state: string }).state === "online",
        20_000,
      );
      await collector.waitFor(
        (m) => m.topic === `${BASE}/audit` && (m.json() as Envelope<AuditEntry>).data.action === "system.start",
        10_000,
      );

      const ask = claims("health.request");
      const token = await sign(ask);
      await central_.publishAsync(`${BASE}/cmd/health.request`, token, { qos: 1 });
      const first = (await collector.waitFor(isResult("health.request", ask.id), 15_000)).json() as CommandResult;
      assert.equal(first.ok, true);
      assert.equal((first.data as { version: string }).version.length > 0, true);

      // Delivered again (a retry by central, or the broker redelivering): same answer, not re-run.
      await central_.publishAsync(`${BASE}/cmd/health.request`, token, { qos: 1 });
      await collector.waitFor(
        (m) =>
          isResult("health.request", ask.id)(m) &&
          collector.messages.filter(isResult("health.request", ask.id)).length >= 2,
        15_000,
      );
      const answers = collector.messages.filter(isResult("health.request", ask.id)).map((m) => m.payload.toString());
      assert.equal(answers[0], answers[1]);

      const unsigned = claims("health.request");
      const none = `${Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url")}.${Buffer.from(JSON.stringify(unsigned)).toString("base64url")}.`;
      await central_.publishAsync(`${BASE}/cmd/health.request`, none, { qos: 1 });
      const refused = (
        await collector.waitFor(isResult("health.request", unsigned.id), 15_000)
      ).json() as CommandResult;
      assert.deepEqual([refused.ok, refused.error?.code], [false, "VIGIL_E_COMMAND_UNSIGNED"]);

      const foreign = claims("health.request", { aud: `${SITE}/gw-other` });
      await central_.publishAsync(`${BASE}/cmd/health.request`, await sign(foreign), { qos: 1 });
      const wrong = (await collector.waitFor(isResult("health.request", foreign.id), 15_000)).json() as CommandResult;
      assert.equal(wrong.error?.code, "VIGIL_E_COMMAND_WRONG_AUDIENCE");

      await central_.publishAsync(`${BASE}/cmd/health.request`, "not a jws", { qos: 1 });
      const junk = (await collector.waitFor(isResult("health.request", null), 15_000)).json() as CommandResult;
      assert.equal(junk.error?.code, "VIGIL_E_COMMAND_MALFORMED");

      const rotate = claims("audit.checkpoint");
      await central_.publishAsync(`${BASE}/cmd/audit.checkpoint`, await sign(rotate), { qos: 1 });
      assert.equal(
        ((await collector.waitFor(isResult("audit.checkpoint", rotate.id), 15_000)).json() as CommandResult).ok,
        true,
      );
      const checkpoint = (
        await collector.waitFor(
          (m) => m.topic === `${BASE}/audit` && (m.json() as Envelope).type === "audit.checkpoint",
          15_000,
        )
      ).json() as Envelope<{ jws: string; seq: number }>;
      const pub = await runCli(["audit", "pubkey", "--config", box.configPath, "--json"]);
      assert.equal(pub.code, 0);
      const signed = await verifyCheckpoint(checkpoint.data.jws, JSON.parse(pub.stdout) as JWK);
      assert.equal(signed.seq, checkpoint.data.seq);

      // Central revokes a camera's key: it stops working at once, and a second revoke says so.
      assert.equal(await pushEvent(), 202);
      // The pushed tamper event also reaches the rules: a tamper incident goes to central.
      const tamper = (
        await collector.waitFor(
          (m) => m.topic === `${BASE}/incidents` && (m.json() as Envelope<{ rule: string }>).data.rule === "tamper",
          15_000,
        )
      ).json() as Envelope<{ rule: string; camera_id: string; confidence: number; next_step: string }>;
      assert.deepEqual(
        [tamper.type, tamper.data.camera_id, tamper.data.confidence, tamper.data.next_step],
        ["incident.created", "lobby", 1, "notify"],
      );
      const revoke = claims("key.revoke", { args: { key_id: keyId } });
      await central_.publishAsync(`${BASE}/cmd/key.revoke`, await sign(revoke), { qos: 1 });
      const revoked = (await collector.waitFor(isResult("key.revoke", revoke.id), 15_000)).json() as CommandResult;
      assert.deepEqual(revoked.data, { key_id: keyId, camera_id: "lobby", already_revoked: false });
      assert.equal(await pushEvent(), 401);
      const malformed = claims("key.revoke", { args: { key_id: "../etc" } });
      await central_.publishAsync(`${BASE}/cmd/key.revoke`, await sign(malformed), { qos: 1 });
      assert.equal(
        ((await collector.waitFor(isResult("key.revoke", malformed.id), 15_000)).json() as CommandResult).error?.code,
        "VIGIL_E_VALIDATION",
      );
      await collector.waitFor(
        () => auditEntries().some((e) => e.action === "key.revoked" && e.actor === `central:${revoke.id}`),
        15_000,
      );

      // Every command received is in the trail: accepted, replayed and refused alike.
      await collector.waitFor(() => auditEntries().filter((e) => e.action === "command.received").length >= 6, 15_000);
      const received = auditEntries().filter((e) => e.action === "command.received");
      assert.ok(received.some((e) => e.result === "ok" && e.target === `command:${ask.id}`));
      assert.ok(received.some((e) => e.result === "denied" && e.target === `command:${unsigned.id}`));
      assert.ok(received.some((e) => e.result === "denied" && e.target === `command:${foreign.id}`));

      daemon.signal("SIGTERM");
      assert.equal(await daemon.exited, 0);
      const verify = await runCli(["audit", "verify", "--config", box.configPath, "--json"]);
      assert.equal(verify.code, 0, verify.stdout + verify.stderr);
      const result = JSON.parse(verify.stdout) as { ok: boolean; checked: number };
      assert.equal(result.ok, true);
      assert.ok(result.checked >= received.length + 2, `checked ${result.checked}`);
    } finally {
      await central_.endAsync();
      await collector.close();
      await box.cleanup();
      await broker.stop();
    }
  });
});
