/** A refused request, with the daemon's stable code and the words to show a person. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterS?: number,
  ) {
    super(message);
  }
}

/** Clear words for the codes a person meets, never a raw code on its own. */
export function describeError(err: unknown): string {
  if (!(err instanceof ApiError))
    return err instanceof Error ? `Something went wrong: ${err.message}` : "Something went wrong.";
  switch (err.code) {
    case "VIGIL_E_UNAUTHENTICATED":
      return "Wrong username or password, or the account is locked or disabled. Ask an administrator if it keeps happening.";
    case "VIGIL_E_RATE_LIMITED":
      return `Too many attempts. Try again in ${err.retryAfterS ?? 60} seconds.`;
    case "VIGIL_E_FORBIDDEN":
      return "Your role does not allow this.";
    case "VIGIL_E_FOUR_EYES":
      return "You requested this dispatch, so another supervisor must approve it (four-eyes rule).";
    case "VIGIL_E_PASSWORD_POLICY":
      return `The new password is not accepted: ${err.message}`;
    case "VIGIL_E_CONFLICT":
      return "Someone else changed this incident first.";
    case "VIGIL_E_INCIDENT_TRANSITION":
      return `Not possible in the incident's current state: ${err.message}`;
    case "VIGIL_E_NOT_FOUND":
      return "Not found: it may have been deleted by retention.";
    default:
      return err.message;
  }
}
