import { readonly, ref } from "vue";
import type { SessionUserFragment } from "../graphql/generated/graphql.ts";

export type SessionUser = SessionUserFragment;

export type LoginResult = { ok: true } | { ok: false; error: string; fieldErrors?: Array<{ field: string; message: string }> };

export interface SignupRequest {
  workspaceName: string;
  name: string;
  email: string;
  password: string;
}

/** The body of a signed-in answer of GET /api/auth/session and POST /api/auth/login. */
interface SessionBody {
  success: true;
  csrfToken: string;
  user: SessionUser;
}

const UNREACHABLE = "Could not reach the server. Check your connection and try again.";
// The rate limiter answers in Fastify's error shape, not ours: say it plainly instead.
const TOO_MANY_ATTEMPTS = "Too many login attempts. Wait a minute and try again.";
const LOGIN_FAILED = "Could not log in. Try again.";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function isSessionBody(body: unknown): body is SessionBody {
  if (!isRecord(body) || body.success !== true || typeof body.csrfToken !== "string") return false;
  const user = body.user;
  return isRecord(user) && typeof user.id === "string" && typeof user.name === "string" && typeof user.email === "string";
}

async function jsonOf(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/**
 * The browser's session: who is signed in and the CSRF token every cookie-authenticated write
 * must echo. The cookie itself is HttpOnly, so the server is asked (GET /api/auth/session).
 * `fetchImpl` is injectable for tests.
 */
export function createSession(fetchImpl: typeof fetch = (input, init) => fetch(input, init)) {
  const user = ref<SessionUser | null>(null);
  const csrfToken = ref<string | null>(null);
  let loaded: Promise<void> | null = null;

  function adopt(body: SessionBody) {
    user.value = body.user;
    csrfToken.value = body.csrfToken;
  }

  /** Forgets the user locally, e.g. when the server says the session has expired. */
  function clear() {
    user.value = null;
    csrfToken.value = null;
  }

  async function fetchSession() {
    try {
      const response = await fetchImpl("/api/auth/session", { credentials: "same-origin" });
      const body = await jsonOf(response);
      if (response.ok && isSessionBody(body)) adopt(body);
      else clear();
    } catch {
      // Offline at start-up: treat as signed out; the login form then says what is wrong.
      clear();
    }
  }

  /** Asks the server once per page load; later calls share the first answer. */
  function ensureLoaded(): Promise<void> {
    loaded ??= fetchSession();
    return loaded;
  }

  /** Every way in (login, an invitation link, sign-up) answers the same signed-in body. */
  async function signIn(path: string, request: object): Promise<LoginResult> {
    let response: Response;
    try {
      response = await fetchImpl(path, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(request),
      });
    } catch {
      return { ok: false, error: UNREACHABLE };
    }
    const body = await jsonOf(response);
    if (response.ok && isSessionBody(body)) {
      adopt(body);
      loaded = Promise.resolve();
      return { ok: true };
    }
    if (response.status === 429) return { ok: false, error: TOO_MANY_ATTEMPTS };
    const error = isRecord(body) && typeof body.error === "string" ? body.error : LOGIN_FAILED;
    const fieldErrors = isRecord(body) && Array.isArray(body.fieldErrors) ? (body.fieldErrors as Array<{ field: string; message: string }>) : undefined;
    return { ok: false, error, fieldErrors };
  }

  const login = (email: string, password: string) => signIn("/api/auth/login", { email, password });
  /** Spends an invitation or password-reset link: the person is signed in with the password they chose. */
  const acceptInvite = (token: string, password: string) => signIn("/api/auth/accept-invite", { token, password });
  const signup = (request: SignupRequest) => signIn("/api/auth/signup", request);

  /** Asks the server again, e.g. when a socket was closed because this user's access changed. */
  async function refresh() {
    loaded = fetchSession();
    await loaded;
  }

  async function logout() {
    const token = csrfToken.value;
    try {
      await fetchImpl("/api/auth/logout", {
        method: "POST",
        credentials: "same-origin",
        headers: token ? { "X-CSRF-Token": token } : {},
      });
    } catch {
      // Unreachable server: this tab must still stop acting as the user.
    }
    clear();
  }

  return {
    user: readonly(user),
    csrfToken: readonly(csrfToken),
    ensureLoaded,
    login,
    acceptInvite,
    signup,
    refresh,
    logout,
    clear,
  };
}

export type Session = ReturnType<typeof createSession>;

const session = createSession();

/** The one session of this tab, shared by the router guard, the GraphQL client and the pages. */
export function useSession(): Session {
  return session;
}
