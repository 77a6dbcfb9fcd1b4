import { AuditThrottle } from "../../audit/audit-throttle.js";
import { ThrottledAudit } from "../../audit/throttled-recorder.js";
import type { AuditRecorder } from "../../contract/audit.js";
import type { CommandContext, CommandResult } from "../../contract/command.js";
import { ErrorCodes, isVigilError, VigilError } from "../../core/errors.js";
import type { Component } from "../../core/lifecycle.js";
import type { Logger } from "../../core/logger.js";
import type { CommandStore, StoredCommand } from "./command-store.js";
import { isCommandName, parseCommandTopic } from "./command-topic.js";
import { MAX_COMMAND_BYTES, peekCommandId, type CommandVerifier, type VerifiedCommand } from "./command-verifier.js";

export type CommandHandler = (args: Readonly<Record<string, unknown>>, ctx: CommandContext) => Promise<unknown>;

export interface CommandDispatcherOptions {
  /** Refused commands are audited once per reason per window (default a minute); 0: every one. */
  readonly refusalWindowMs?: number;
  /** `<prefix>/<site>/<gateway>`; commands arrive on `<base>/cmd/<name>`. */
  readonly base: string;
  readonly verifier: Pick<CommandVerifier, "verify">;
  readonly store: Pick<CommandStore, "get" | "put">;
  readonly audit: AuditRecorder;
  readonly log: Logger;
  /** Verified commands running at once; more are answered BUSY (not stored, so a retry runs). */
  readonly maxInFlight?: number;
}

// Results that mean "refused before running": audited as denied rather than as an error.
const DENIED: ReadonlySet<string> = new Set([
  ErrorCodes.COMMAND_MALFORMED,
  ErrorCodes.COMMAND_UNSIGNED,
  ErrorCodes.COMMAND_BAD_SIGNATURE,
  ErrorCodes.COMMAND_ALG_NOT_ALLOWED,
  ErrorCodes.COMMAND_EXPIRED,
  ErrorCodes.COMMAND_NOT_YET_VALID,
  ErrorCodes.COMMAND_LIFETIME_TOO_LONG,
  ErrorCodes.COMMAND_NAME_MISMATCH,
  ErrorCodes.COMMAND_WRONG_AUDIENCE,
  ErrorCodes.COMMAND_UNKNOWN,
  ErrorCodes.COMMAND_ID_CONFLICT,
]);

const failure = (id: string | null, code: string, message: string): CommandResult => ({
  id,
  ok: false,
  error: { code, message },
});

const conflict = (id: string, usedBy: string): CommandResult =>
  failure(id, ErrorCodes.COMMAND_ID_CONFLICT, `command id was already used for "${usedBy}"`);

function fromError(id: string | null, err: unknown): CommandResult {
  return isVigilError(err) ? failure(id, err.code, err.message) : failure(id, ErrorCodes.INTERNAL, "command failed");
}

/**
 * Turns one inbound MQTT command into exactly one result: verified, run at most once per id (the
 * first result is stored and replayed), and audited whatever happens. Only verified commands take
 * memory beyond the call itself, and those are capped by `maxInFlight`.
 */
export class CommandDispatcher implements Component {
  readonly name = "command-dispatcher";
  private readonly handlers = new Map<string, CommandHandler>();
  /** Commands being run, by id, so a duplicate delivery waits for the first instead of running twice. */
  private readonly inFlight = new Map<string, { name: string; result: Promise<CommandResult> }>();
  private readonly maxInFlight: number;
  private stopping = false;

  /** Commands refused before they were verified: a flood from the broker is audited once per reason a minute. */
  private readonly refusals: ThrottledAudit;

  constructor(private readonly opts: CommandDispatcherOptions) {
    this.maxInFlight = opts.maxInFlight ?? 32;
    this.refusals = new ThrottledAudit(opts.audit, new AuditThrottle(opts.refusalWindowMs ?? 60_000));
  }

  register(name: string, handler: CommandHandler): void {
    if (!isCommandName(name))
      throw new VigilError(ErrorCodes.VALIDATION, `not a command name: ${JSON.stringify(name)}`);
    if (this.handlers.has(name)) throw new VigilError(ErrorCodes.VALIDATION, `command "${name}" is already registered`);
    this.handlers.set(name, handler);
  }

  async start(): Promise<void> {
    this.stopping = false;
  }

  /** Refuses new commands and waits for the running ones, so none writes to a closing store. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.inFlight.values()].map((r) => r.result));
  }

  /**
   * Resolves with the result to publish on `<base>/cmd_result/<name>`, or undefined for a topic
   * that is not a command topic. Rejects only when the audit entry cannot be written; a stored
   * result then answers central's retry.
   */
  async handle(topic: string, payload: Buffer): Promise<{ name: string; result: CommandResult } | undefined> {
    const name = parseCommandTopic(this.opts.base, topic);
    if (name === undefined) return undefined;
    const tooLarge = payload.length > MAX_COMMAND_BYTES;
    const token = tooLarge ? "" : payload.toString("utf8").trim();
    let command: VerifiedCommand;
    try {
      if (tooLarge)
        throw new VigilError(ErrorCodes.COMMAND_MALFORMED, `command is larger than ${MAX_COMMAND_BYTES} bytes`);
      command = await this.opts.verifier.verify(name, token);
    } catch (err) {
      const result = fromError(peekCommandId(token), err);
      this.opts.log.debug({ name, id: result.id, code: result.error?.code }, "command refused");
      // Keyed by the reason only: the topic's name and the id are the sender's choice.
      return this.finish(name, result, false, `refused ${result.error?.code ?? "?"}`);
    }
    const running = this.inFlight.get(command.id);
    if (running && running.name !== name) return this.finish(name, conflict(command.id, running.name), false);
    if (running) return this.finish(name, await running.result, true);
    if (this.stopping)
      return this.finish(
        name,
        failure(command.id, ErrorCodes.SHUTTING_DOWN, "gateway is shutting down; retry later"),
        false,
      );
    if (this.inFlight.size >= this.maxInFlight)
      return this.finish(
        name,
        failure(command.id, ErrorCodes.COMMAND_BUSY, "too many commands running; retry later"),
        false,
      );
    const execution = this.execute(command);
    const result = execution.then(
      (e) => e.result,
      (err: unknown) => fromError(command.id, err),
    );
    this.inFlight.set(command.id, { name, result });
    try {
      const { result, replay } = await execution;
      return await this.finish(name, result, replay);
    } finally {
      this.inFlight.delete(command.id);
    }
  }

  private async execute(command: VerifiedCommand): Promise<{ result: CommandResult; replay: boolean }> {
    const { id, name } = command;
    let stored: StoredCommand | undefined;
    try {
      stored = await this.opts.store.get(id);
    } catch (err) {
      return { result: fromError(id, err), replay: false };
    }
    if (stored) {
      if (stored.name !== name) return { result: conflict(id, stored.name), replay: false };
      return { result: stored.result, replay: true };
    }
    const handler = this.handlers.get(name);
    // Nothing ran, so nothing needs remembering: a later version that knows the command may run it.
    if (!handler)
      return { result: failure(id, ErrorCodes.COMMAND_UNKNOWN, `unknown command "${name}"`), replay: false };
    const result = await this.run(handler, command);
    try {
      await this.opts.store.put(id, name, result, command.exp);
    } catch (err) {
      // The handler's effects happened; say so, and accept that a retry of this id may run again.
      this.opts.log.error({ err, id, name }, "command result could not be stored; a retry will run it again");
    }
    return { result, replay: false };
  }

  private async run(handler: CommandHandler, command: VerifiedCommand): Promise<CommandResult> {
    const { id, name } = command;
    try {
      const data: unknown = await handler(command.args, { id, name });
      // Stored and published as JSON: normalise now so the first answer and every replay are identical.
      const json = data === undefined ? undefined : JSON.stringify(data);
      return json === undefined ? { id, ok: true } : { id, ok: true, data: JSON.parse(json) as unknown };
    } catch (err) {
      if (!isVigilError(err)) this.opts.log.error({ err, id, name }, "command handler failed");
      return fromError(id, err);
    }
  }

  private async finish(
    name: string,
    result: CommandResult,
    replay: boolean,
    throttleKey?: string,
  ): Promise<{ name: string; result: CommandResult }> {
    const code = result.error?.code;
    const entry = {
      actor: "central",
      action: "command.received",
      target: `command:${result.id ?? "?"}`,
      result: result.ok ? "ok" : code !== undefined && DENIED.has(code) ? "denied" : "error",
      details: { name, ...(code === undefined ? {} : { code }), ...(replay ? { replay: true } : {}) },
    } as const;
    if (throttleKey === undefined) await this.opts.audit.record(entry);
    else await this.refusals.record(throttleKey, entry);
    return { name, result };
  }
}
