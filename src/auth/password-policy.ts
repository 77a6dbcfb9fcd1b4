/** Why a password is refused, or an empty list. Pure; the same rules for the CLI, the API and tests. */
export const PASSWORD_MIN_LENGTH = 12;
/** Long enough for any passphrase, short enough that nobody feeds megabytes to argon2. */
export const PASSWORD_MAX_LENGTH = 256;

export function passwordPolicyViolations(password: string, username: string): string[] {
  const problems: string[] = [];
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) problems.push(`at least ${PASSWORD_MIN_LENGTH} characters`);
  if (length > PASSWORD_MAX_LENGTH) problems.push(`at most ${PASSWORD_MAX_LENGTH} characters`);
  if (!/\p{Lu}/u.test(password)) problems.push("an upper-case letter");
  if (!/\p{Ll}/u.test(password)) problems.push("a lower-case letter");
  if (!/\p{Nd}/u.test(password)) problems.push("a digit");
  if (!/[^\p{L}\p{Nd}\s]/u.test(password)) problems.push("a symbol");
  if (password.trim().toLowerCase() === username.trim().toLowerCase()) problems.push("different from the username");
  return problems;
}
