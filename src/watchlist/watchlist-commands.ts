import { Value } from "@sinclair/typebox/value";
import { ErrorCodes, VigilError } from "../core/errors.js";
import type { CommandDispatcher } from "../sync/commands/command-dispatcher.js";
import { DeleteArgsSchema, EnrollArgsSchema } from "./watchlist-schemas.js";
import type { WatchlistService } from "./watchlist-service.js";

function check<T>(schema: Parameters<typeof Value.Check>[0], args: unknown): T {
  const first = Value.Errors(schema, args).First();
  if (first)
    throw new VigilError(ErrorCodes.VALIDATION, `args${first.path}: ${first.message}`, {
      details: { field: `args${first.path}` },
    });
  return args as T;
}

/**
 * `watchlist.enroll` (`{"name", "threshold"?, "notes"?, "photos": [base64 JPEG]}`) and
 * `watchlist.delete` (`{"id"}`) from central. A command is at most 64 KiB, so photos sent this
 * way must be small face crops. The dispatcher makes both idempotent by command id: a repeated
 * enroll returns the first result instead of enrolling the person twice.
 */
export function registerWatchlistCommands(dispatcher: CommandDispatcher, watchlist: WatchlistService): void {
  dispatcher.register("watchlist.enroll", async (args, ctx) => {
    const enrolled = await watchlist.enroll(check(EnrollArgsSchema, args), { actor: `central:${ctx.id}` });
    return { person: enrolled.person, photos: enrolled.photos };
  });
  dispatcher.register("watchlist.delete", async (args, ctx) => {
    const { id } = check<{ id: string }>(DeleteArgsSchema, args);
    return watchlist.delete(id, { actor: `central:${ctx.id}` });
  });
}
