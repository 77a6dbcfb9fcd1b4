import { useEffect, useState } from "preact/hooks";
import { roleIncludes, type Role } from "../../src/contract/roles";
import { onSession, type SessionState, sessionState } from "./api/session";

export function useSession(): SessionState {
  const [s, setS] = useState(sessionState);
  useEffect(() => {
    const off = onSession(setS);
    // The session may have changed between the first render and this subscription.
    setS(sessionState());
    return off;
  }, []);
  return s;
}

/** Whether the signed-in user's role includes `needed` (the server decides; this only hides). */
export function can(s: SessionState, needed: Role): boolean {
  return s.me !== undefined && roleIncludes(s.me.role, needed);
}
