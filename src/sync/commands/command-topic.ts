import { ErrorCodes, VigilError } from "../../core/errors.js";

/**
 * Command names are one topic level of a restricted alphabet, so a name can never smuggle a
 * wildcard, an extra level or a different verb into a topic built from it.
 */
export const COMMAND_NAME_PATTERN = /^[a-z][a-z0-9_.-]{0,63}$/;

export function isCommandName(name: string): boolean {
  return COMMAND_NAME_PATTERN.test(name);
}

/** The one subscription that receives every command addressed to this gateway. */
export function commandTopicFilter(base: string): string {
  return `${base}/cmd/+`;
}

/** The command name a topic addresses, or undefined when the topic is not a command topic of `base`. */
export function parseCommandTopic(base: string, topic: string): string | undefined {
  const prefix = `${base}/cmd/`;
  if (!topic.startsWith(prefix)) return undefined;
  const name = topic.slice(prefix.length);
  return isCommandName(name) ? name : undefined;
}

export function resultTopic(base: string, name: string): string {
  if (!isCommandName(name)) throw new VigilError(ErrorCodes.VALIDATION, `not a command name: ${JSON.stringify(name)}`);
  return `${base}/cmd_result/${name}`;
}
