/**
 * `vigil/central`: the kit a central server imports to consume a fleet of Vigil gateways.
 * See docs/central.md.
 */
export {
  CentralConsumer,
  type CentralConsumerOptions,
  type ConsumerEvent,
  type Delivery,
  type DeliveryHandler,
} from "./consumer.js";
export {
  admit,
  DEFAULT_LIMITS,
  type DedupeLimits,
  emptyState,
  expireHoles,
  type StreamEvent,
  type StreamState,
  type Verdict,
} from "./dedupe.js";
export { DEFAULT_GAP_WAIT_MS, GAP_WAIT_ACK_WAITS, gapWaitFor, type GapWaitOptions } from "./gap-wait.js";
export { EnvelopeValidator, PUBLISHED_SCHEMAS_DIR } from "./envelope-validator.js";
export {
  type AuditAnchor,
  type AuditProblem,
  type AuditVerification,
  AuditStreamVerifier,
  verifyAuditStream,
} from "./audit-verifier.js";
export {
  type CentralKeyPair,
  type CommandToSign,
  generateCentralKeyPair,
  publicJwkOf,
  sendCommand,
  type SendOptions,
  type SignedCommand,
  signCommand,
} from "./commands.js";
export { consumerFilters, parseStreamTopic } from "./topics.js";
export { publicGenesis, publicLink } from "../audit/public-chain.js";
export { verifyCheckpoint } from "../audit/checkpoint.js";
export type { Envelope, StreamName } from "../contract/envelope.js";
export type { JWK } from "jose";
export type { AuditEntry } from "../contract/audit.js";
export type { CommandResult } from "../contract/command.js";
