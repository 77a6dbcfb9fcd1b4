import type { AdminOps } from "../contract/admin.js";
import {
  type DeleteArgs,
  DeleteArgsSchema,
  type EnrollArgs,
  EnrollArgsSchema,
  ListArgsSchema,
} from "./watchlist-schemas.js";
import type { WatchlistService } from "./watchlist-service.js";

/** `vigil watchlist enroll|list|delete`, run in the daemon through its admin socket. */
export function watchlistAdminOps(watchlist: WatchlistService): AdminOps {
  return {
    "watchlist.enroll": {
      summary: "enrol a person from photos (base64 JPEG, one face each)",
      args: EnrollArgsSchema,
      run: (args: EnrollArgs, ctx) => watchlist.enroll(args, { actor: ctx.actor }),
    },
    "watchlist.list": {
      summary: "list watchlist persons, without embeddings",
      args: ListArgsSchema,
      run: async () => ({ persons: watchlist.list(), status: watchlist.status }),
    },
    "watchlist.delete": {
      summary: "delete a person and all their embeddings",
      args: DeleteArgsSchema,
      run: (args: DeleteArgs, ctx) => watchlist.delete(args.id, { actor: ctx.actor }),
    },
  };
}
