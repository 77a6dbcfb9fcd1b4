import { Type } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { DISMISS_REASONS, type DismissReason } from "../contract/incident.js";
import { ErrorCodes, VigilError } from "../core/errors.js";
import type { CommandDispatcher, CommandHandler } from "../sync/commands/command-dispatcher.js";
import type { IncidentService } from "./incident-service.js";
import { DECISION_ACTIONS, type DecisionAction } from "./lifecycle.js";

const Id = Type.String({ minLength: 1, maxLength: 64, pattern: "^[0-9a-f-]+$" });
const Note = Type.String({ minLength: 1, maxLength: 1000 });
const DecideArgs = TypeCompiler.Compile(
  Type.Object(
    {
      incident_id: Id,
      action: Type.Union(DECISION_ACTIONS.map((a) => Type.Literal(a))),
      dismiss_reason: Type.Optional(Type.Union(DISMISS_REASONS.map((r) => Type.Literal(r)))),
      note: Type.Optional(Note),
      version: Type.Optional(Type.Integer({ minimum: 1 })),
    },
    { additionalProperties: false },
  ),
);
const ApproveArgs = TypeCompiler.Compile(
  Type.Object(
    { incident_id: Id, note: Type.Optional(Note), version: Type.Optional(Type.Integer({ minimum: 1 })) },
    { additionalProperties: false },
  ),
);

function checked<T>(
  compiled: {
    Check(v: unknown): boolean;
    Errors(v: unknown): { First(): { path: string; message: string } | undefined };
  },
  args: unknown,
): T {
  if (compiled.Check(args)) return args as T;
  const first = compiled.Errors(args).First();
  throw new VigilError(ErrorCodes.VALIDATION, `args${first?.path ?? ""}: ${first?.message ?? "invalid"}`, {
    details: { field: `args${first?.path ?? ""}` },
  });
}

/**
 * `incident.decide` and `incident.approve` from central: the same lifecycle, validator and
 * compare-and-set as the HTTP API, audited with actor `central:<command id>`. Central's signed
 * command stands for its own console's supervisor: approval from there is an approval.
 */
export function incidentCommandHandlers(
  incidents: IncidentService,
): Record<"incident.decide" | "incident.approve", CommandHandler> {
  return {
    "incident.decide": async (args, ctx) => {
      const a = checked<{
        incident_id: string;
        action: DecisionAction;
        dismiss_reason?: DismissReason;
        note?: string;
        version?: number;
      }>(DecideArgs, args);
      const next = await incidents.decide(a.incident_id, {
        action: a.action,
        actor: `central:${ctx.id}`,
        reason: a.dismiss_reason,
        note: a.note,
        expectedVersion: a.version,
      });
      return { incident_id: next.id, status: next.status, version: next.version };
    },
    "incident.approve": async (args, ctx) => {
      const a = checked<{ incident_id: string; note?: string; version?: number }>(ApproveArgs, args);
      const next = await incidents.decide(a.incident_id, {
        action: "approve",
        actor: `central:${ctx.id}`,
        note: a.note,
        expectedVersion: a.version,
      });
      return { incident_id: next.id, status: next.status, version: next.version };
    },
  };
}

export function registerIncidentCommands(dispatcher: CommandDispatcher, incidents: IncidentService): void {
  for (const [name, handler] of Object.entries(incidentCommandHandlers(incidents))) dispatcher.register(name, handler);
}
