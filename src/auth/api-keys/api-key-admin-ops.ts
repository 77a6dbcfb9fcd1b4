import type { AdminOps } from "../../contract/admin.js";
import {
  type CreateKeyArgs,
  CreateKeyArgsSchema,
  type ListKeysArgs,
  ListKeysArgsSchema,
  type RevokeKeyArgs,
  RevokeKeyArgsSchema,
} from "./api-key-schemas.js";
import type { ApiKeyService } from "./api-key-service.js";

/** `vigil key create|list|revoke`, run in the daemon (admin socket) or by the CLI offline. */
export function apiKeyAdminOps(keys: ApiKeyService): AdminOps {
  return {
    "key.create": {
      summary: "create an API key for a camera; the key is in the result once and never again",
      args: CreateKeyArgsSchema,
      run: (args: CreateKeyArgs, ctx) => keys.create(args, { actor: ctx.actor }),
    },
    "key.list": {
      summary: "list API keys (of one camera), without secrets",
      args: ListKeysArgsSchema,
      run: async (args: ListKeysArgs) => ({ api_keys: keys.list(args.camera_id) }),
    },
    "key.revoke": {
      summary: "revoke an API key; revoking a revoked key changes nothing",
      args: RevokeKeyArgsSchema,
      run: (args: RevokeKeyArgs, ctx) => keys.revoke(args.key_id, { actor: ctx.actor }),
    },
  };
}
