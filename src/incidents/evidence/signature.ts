import { CompactSign, compactVerify, type JWK } from "jose";
import { checkpointPublicJwk, checkpointSigningKey } from "../../audit/checkpoint.js";

/**
 * manifest.jws: the manifest bytes signed by the gateway's checkpoint key (Ed25519), the key whose
 * public half central already holds for audit checkpoints; its own `typ` keeps a pack signature
 * from being replayed as a checkpoint or the reverse.
 */

const ALG = "EdDSA";
export const EVIDENCE_TYP = "vigil-evidence";

export async function signManifest(privatePem: string, manifest: Uint8Array): Promise<string> {
  const { kid } = checkpointPublicJwk(privatePem);
  return new CompactSign(manifest)
    .setProtectedHeader({ alg: ALG, typ: EVIDENCE_TYP, ...(kid ? { kid } : {}) })
    .sign(checkpointSigningKey(privatePem));
}

/** The signed payload when `jws` is a pack signature by `publicJwk`'s holder; undefined otherwise. */
export async function verifiedManifest(jws: string, publicJwk: JWK): Promise<Uint8Array | undefined> {
  try {
    const verified = await compactVerify(jws.trim(), publicJwk, { algorithms: [ALG] });
    return verified.protectedHeader.typ === EVIDENCE_TYP ? verified.payload : undefined;
  } catch {
    return undefined;
  }
}
