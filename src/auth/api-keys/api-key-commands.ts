import { ErrorCodes, VigilError } from "../../core/errors.js";
import type { CommandDispatcher } from "../../sync/commands/command-dispatcher.js";
import { isKeyId } from "./api-key-format.js";
import type { ApiKeyService } from "./api-key-service.js";

/**
 * `key.revoke` from central (`{"key_id":"..."}`): the site's security team can cut off a camera's
 * key from the central console without a tech on the box. Idempotent like the dispatcher's ids: a
 * second revoke of the same key answers `already_revoked: true`.
 */
export function registerApiKeyCommands(dispatcher: CommandDispatcher, keys: ApiKeyService): void {
  dispatcher.register("key.revoke", async (args, ctx) => {
    const keyId = args.key_id;
    if (!isKeyId(keyId))
      throw new VigilError(ErrorCodes.VALIDATION, "args.key_id must be an API key id (16 characters a-z, 2-7)", {
        details: { field: "args/key_id" },
      });
    const revoked = await keys.revoke(keyId, { actor: `central:${ctx.id}` });
    return { key_id: keyId, camera_id: revoked.api_key.camera_id, already_revoked: revoked.already_revoked };
  });
}
