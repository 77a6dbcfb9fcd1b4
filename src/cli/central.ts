import { constants } from "node:fs";
import { mkdir, open, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import type { JWK } from "jose";
import { type AuditAnchor, verifyAuditStream } from "../central/audit-verifier.js";
import { generateCentralKeyPair, sendCommand, signCommand } from "../central/commands.js";
import { CentralConsumer } from "../central/consumer.js";
import { isEnvelope, type Envelope } from "../contract/envelope.js";
import { ErrorCodes, ExitCodes, VigilError } from "../core/errors.js";
import { emit, fail } from "./output.js";

/** `vigil central ...`: the operator's side of the central kit (src/central). */

interface Common {
  json?: boolean;
}

async function writeNew(path: string, text: string, mode: number): Promise<void> {
  // O_EXCL: never overwrite a key someone already handed out.
  const file = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode).catch(
    (err: NodeJS.ErrnoException) => {
      throw new VigilError(
        err.code === "EEXIST" ? ErrorCodes.ALREADY_EXISTS : ErrorCodes.VALIDATION,
        `${path}: ${err.code ?? err.message}`,
        { cause: err },
      );
    },
  );
  try {
    await file.writeFile(text);
  } finally {
    await file.close();
  }
}

async function keygen(opts: Common & { out: string }): Promise<void> {
  const json = opts.json === true;
  try {
    const pair = generateCentralKeyPair();
    await mkdir(opts.out, { recursive: true, mode: 0o700 });
    const privatePath = join(opts.out, "central-command.key");
    const publicPath = join(opts.out, "central-command.pub.pem");
    await writeNew(privatePath, pair.privatePem, 0o600);
    await writeNew(publicPath, pair.publicPem, 0o644);
    emit(json, { private_key_file: privatePath, public_key_file: publicPath, public_jwk: pair.publicJwk }, () =>
      [
        `private key: ${privatePath} (keep it on central only)`,
        `public key:  ${publicPath} (each gateway's commands.key_file)`,
        pair.publicPem.trim(),
      ].join("\n"),
    );
  } catch (err) {
    fail(err, json);
  }
}

function parseArgs(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new VigilError(ErrorCodes.VALIDATION, "--args must be a JSON object", { cause: err });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new VigilError(ErrorCodes.VALIDATION, "--args must be a JSON object");
  return value as Record<string, unknown>;
}

interface SignOpts extends Common {
  key: string;
  gateway: string;
  name: string;
  args?: string;
  ttl: string;
}

async function signed(opts: SignOpts) {
  return signCommand(await readFile(opts.key, "utf8"), {
    name: opts.name,
    audience: opts.gateway,
    args: parseArgs(opts.args),
    ttlS: Number(opts.ttl),
  });
}

async function sign(opts: SignOpts): Promise<void> {
  const json = opts.json === true;
  try {
    const command = await signed(opts);
    emit(json, command, () => command.token);
  } catch (err) {
    fail(err, json);
  }
}

async function send(opts: SignOpts & { broker: string; prefix: string; timeout: string }): Promise<void> {
  const json = opts.json === true;
  try {
    const command = await signed(opts);
    const result = await sendCommand(command, {
      broker: opts.broker,
      prefix: opts.prefix,
      timeoutMs: Number(opts.timeout) * 1000,
    });
    emit(json, result, () =>
      result.ok
        ? `ok ${command.id}${result.data === undefined ? "" : ` ${JSON.stringify(result.data)}`}`
        : `refused ${command.id}: ${result.error?.code ?? "?"}: ${result.error?.message ?? ""}`,
    );
    if (!result.ok) process.exitCode = ExitCodes.FAILURE;
  } catch (err) {
    fail(err, json);
  }
}

async function* envelopesFrom(text: string): AsyncGenerator<Envelope> {
  for (const [i, line] of text.split("\n").entries()) {
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new VigilError(ErrorCodes.VALIDATION, `line ${i + 1} is not JSON`, { cause: err });
    }
    // `tail --json` lines wrap the envelope; a plain envelope per line works too.
    const envelope = typeof value === "object" && value !== null && "envelope" in value ? value.envelope : value;
    if (isEnvelope(envelope)) yield envelope;
  }
}

function parseAnchor(text: string | undefined): AuditAnchor | undefined {
  if (text === undefined) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new VigilError(ErrorCodes.VALIDATION, "--anchor must be JSON {seq, chain, mac}", { cause: err });
  }
  const a = v as Partial<AuditAnchor>;
  const hex = (x: unknown) => typeof x === "string" && /^[0-9a-f]{64}$/.test(x);
  if (!Number.isSafeInteger(a.seq) || (a.seq ?? -1) < 0 || !hex(a.chain) || !hex(a.mac))
    throw new VigilError(ErrorCodes.VALIDATION, "--anchor must be {seq, chain, mac} of a verified checkpoint");
  return a as AuditAnchor;
}

async function verify(
  opts: Common & { pubkey: string; gateway: string; file?: string; anchor?: string },
): Promise<void> {
  const json = opts.json === true;
  try {
    const jwk = JSON.parse(await readFile(opts.pubkey, "utf8")) as JWK;
    const [site = "", gateway = ""] = opts.gateway.split("/");
    const text = opts.file === undefined || opts.file === "-" ? await readStdin() : await readFile(opts.file, "utf8");
    const anchor = parseAnchor(opts.anchor);
    const all: Envelope[] = [];
    for await (const e of envelopesFrom(text))
      if (e.stream === "audit" && e.site === site && e.gateway === gateway) all.push(e);
    all.sort((a, b) => a.seq - b.seq);
    const result = await verifyAuditStream(all, jwk, { site, gateway }, anchor);
    emit(json, result, () =>
      result.ok
        ? `ok: ${result.entries} entries, proven through seq ${result.verifiedThrough} by ${result.checkpoints} checkpoints${result.pending ? `, ${result.pending} after the last checkpoint not yet proven` : ""}`
        : `FAILED: ${result.problems.map((p) => `${p.kind}${p.seq === undefined ? "" : ` at ${p.seq}`}: ${p.message}`).join("; ")}`,
    );
    if (!result.ok) process.exitCode = ExitCodes.FAILURE;
  } catch (err) {
    fail(err, json);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** A positive number of seconds from a flag, in ms. */
function secondsFlag(name: string, value: string): number {
  const s = Number(value);
  if (!Number.isFinite(s) || s <= 0)
    throw new VigilError(ErrorCodes.VALIDATION, `${name} must be a positive number of seconds, got "${value}"`);
  return s * 1000;
}

async function tail(
  opts: Common & {
    broker: string[];
    dataDir: string;
    clientId: string;
    partition?: string[];
    group?: string;
    gapWait?: string;
    brokerAckWait?: string;
    prefix: string;
  },
): Promise<void> {
  const json = opts.json === true;
  try {
    const waits = {
      ...(opts.gapWait !== undefined ? { gapWaitMs: secondsFlag("--gap-wait", opts.gapWait) } : {}),
      ...(opts.brokerAckWait !== undefined
        ? { brokerAckWaitMs: secondsFlag("--broker-ack-wait", opts.brokerAckWait) }
        : {}),
    };
    const consumer = new CentralConsumer(
      {
        brokers: opts.broker,
        dataDir: opts.dataDir,
        clientId: opts.clientId,
        prefix: opts.prefix,
        ...waits,
        ...(opts.partition ? { partitions: opts.partition } : {}),
        ...(opts.group ? { group: opts.group } : {}),
      },
      ({ envelope }) => {
        process.stdout.write(
          json
            ? `${JSON.stringify({ envelope })}\n`
            : `${envelope.ts} ${envelope.site}/${envelope.gateway} ${envelope.stream}#${envelope.seq} ${envelope.type}\n`,
        );
      },
    );
    consumer.on((event) => {
      if (event.kind === "delivered" || event.kind === "duplicate") return;
      process.stderr.write(`${JSON.stringify(event)}\n`);
    });
    await consumer.start();
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await consumer.stop();
  } catch (err) {
    fail(err, json);
  }
}

export function registerCentralCommands(program: Command): void {
  const central = program
    .command("central")
    .description(
      "central-server tools: consume a fleet, verify audit trails, sign and send commands (docs/central.md)",
    );
  central
    .command("keygen")
    .description(
      "make central's Ed25519 command-signing key pair; prints the public key each gateway's commands.key_file needs",
    )
    .requiredOption(
      "--out <dir>",
      "directory for central-command.key (0600) and central-command.pub.pem; existing files are never overwritten",
    )
    .option("--json", "print the result as JSON")
    .action(keygen);
  const signing = (cmd: Command): Command =>
    cmd
      .requiredOption("--key <file>", "central's private key (from keygen)")
      .requiredOption("--gateway <site/gateway>", "the gateway the command is for (its audience)")
      .requiredOption("--name <command>", "command name, e.g. health.request or audit.checkpoint")
      .option("--args <json>", "arguments, a JSON object")
      .option("--ttl <seconds>", "lifetime of the signed command", "120")
      .option("--json", "print the result as JSON");
  signing(
    central.command("sign").description("print a compact JWS command (EdDSA, audience, expiry, fresh id)"),
  ).action(sign);
  signing(central.command("send").description("sign a command, publish it to the gateway and wait for its cmd_result"))
    .requiredOption("--broker <url>", "MQTT broker URL")
    .option("--prefix <prefix>", "topic prefix", "vigil")
    .option("--timeout <seconds>", "how long to wait for the result", "30")
    .action(send);
  central
    .command("tail")
    .description("consume gateways' envelopes (deduped, gaps reported on stderr) and print them until interrupted")
    .requiredOption("--broker <url...>", "MQTT broker URL(s), tried in order")
    .requiredOption("--data-dir <dir>", "directory for the consumer's own LevelDB (dedupe state)")
    .option("--client-id <id>", "persistent session id", "vigil-central-tail")
    .option("--partition <site/gateway...>", "only these gateways (MQTT + wildcards)")
    .option("--group <name>", "MQTT 5 shared subscription group")
    .option(
      "--gap-wait <seconds>",
      "report a seq hole as a gap after this long (default: 6 x --broker-ack-wait, else 60)",
    )
    .option(
      "--broker-ack-wait <seconds>",
      "the broker's QoS 1 redelivery delay (NATS mqtt ack_wait); the gap wait follows it",
    )
    .option("--prefix <prefix>", "topic prefix", "vigil")
    .option("--json", 'print one JSON line per envelope ({"envelope": ...}), the input `verify` takes')
    .action(tail);
  central
    .command("verify")
    .description(
      "verify a gateway's audit stream with only its public checkpoint key (vigil audit pubkey on the gateway)",
    )
    .requiredOption("--pubkey <file>", "the gateway's public checkpoint JWK")
    .requiredOption("--gateway <site/gateway>", "whose audit stream")
    .option("--file <jsonl>", "envelopes, one JSON per line (tail --json output); - or absent: stdin")
    .option(
      "--anchor <json>",
      "verify a stored range: start from {seq, chain, mac} of a checkpoint verified earlier (entries after it only)",
    )
    .option("--json", "print the result as JSON")
    .action(verify);
}
