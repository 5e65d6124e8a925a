import type { Database } from "../db/client.ts";
import type { ApiToken, User, UserRole } from "../generated/prisma/client.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { publishRevocation, type InboxPubSub } from "../realtime/pubsub.ts";
import { UNKNOWN_USER_PASSWORD_HASH, verifyPassword } from "./password.ts";
import { API_TOKEN_PREFIX, generateToken, hashToken } from "./tokens.ts";

/** Who is calling, and how they proved it. Every domain call is scoped to `workspaceId`. */
export interface Viewer {
  userId: string;
  workspaceId: string;
  role: UserRole;
  /** Set for browser sessions: unsafe requests must echo it in `X-CSRF-Token`. */
  csrfToken: string | null;
}

/** What proved the viewer: a browser session or an API token (their database ids), and when it ends. */
export interface Credential {
  kind: "session" | "apiToken";
  id: string;
  expiresAt: Date | null;
}

export interface Authentication {
  viewer: Viewer;
  credential: Credential;
}

/** Refreshing `lastUsedAt` / `lastSeenAt` on every request would turn each read into a write. */
const TOUCH_INTERVAL_MS = 60_000;

export interface StartedSession {
  /** The cookie's secret: only its hash is stored. */
  sessionToken: string;
  csrfToken: string;
  expiresAt: Date;
  user: User;
}

/** A new browser session for the user: what login, accepting an invitation and sign-up all end with. */
export async function startSession(db: Pick<Database, "session">, user: User, ttlHours: number): Promise<StartedSession> {
  const sessionToken = generateToken();
  const session = await db.session.create({
    data: {
      userId: user.id,
      tokenHash: hashToken(sessionToken),
      csrfToken: generateToken(),
      expiresAt: new Date(Date.now() + ttlHours * 3_600_000),
    },
  });
  return { sessionToken, csrfToken: session.csrfToken, expiresAt: session.expiresAt, user };
}

export const DEACTIVATED_MESSAGE = "This account has been deactivated. Ask an admin of your workspace to reactivate it.";

export type LoginResult = StartedSession | { refused: "wrongPassword" | "deactivated" };

/** `email` as normalizeEmail spells it: the login limits count attempts under that same key. */
export async function login(db: Database, email: string, password: string, ttlHours: number): Promise<LoginResult> {
  const user = await db.user.findUnique({ where: { email } });
  const passwordMatches = await verifyPassword(password, user?.passwordHash ?? UNKNOWN_USER_PASSWORD_HASH);
  if (!user || !passwordMatches) return { refused: "wrongPassword" };
  // Said only to whoever knows the password: it tells them whom to ask, and nothing to a guesser.
  if (!user.active) return { refused: "deactivated" };
  return startSession(db, user, ttlHours);
}

/** Who was active lately, for the Team page: at most one write a minute per person. */
async function touchUser(db: Database, user: User, now: Date) {
  if (user.lastSeenAt && now.getTime() - user.lastSeenAt.getTime() <= TOUCH_INTERVAL_MS) return;
  await db.user.update({ where: { id: user.id }, data: { lastSeenAt: now } });
}

/** Ends the session here and, through the revocation event, on every socket it opened on any instance. */
export async function logout(db: Database, pubsub: InboxPubSub, sessionToken: string) {
  const session = await db.session.findUnique({ where: { tokenHash: hashToken(sessionToken) }, select: { id: true } });
  if (!session) return;
  // deleteMany: a logout of the same session in another tab may have deleted it meanwhile.
  await db.session.deleteMany({ where: { id: session.id } });
  publishRevocation(pubsub, { kind: "session", id: session.id });
}

/** A session cookie's viewer, unless the session ended or expired or its user was deactivated. HTTP requests and sockets (at every check) both ask this. */
export async function authenticateSession(db: Database, sessionToken: string): Promise<Authentication | null> {
  const session = await db.session.findUnique({
    where: { tokenHash: hashToken(sessionToken) },
    include: { user: true },
  });
  const now = new Date();
  if (!session || session.expiresAt <= now || !session.user.active) return null;
  const { user } = session;
  await touchUser(db, user, now);
  return {
    viewer: { userId: user.id, workspaceId: user.workspaceId, role: user.role, csrfToken: session.csrfToken },
    credential: { kind: "session", id: session.id, expiresAt: session.expiresAt },
  };
}

/** An API token's viewer, unless it was revoked or expired or its user was deactivated. HTTP requests and sockets (at every check) both ask this. */
export async function authenticateApiToken(db: Database, token: string): Promise<Authentication | null> {
  const record = await db.apiToken.findUnique({ where: { tokenHash: hashToken(token) }, include: { user: true } });
  const now = new Date();
  if (!record || record.revokedAt || (record.expiresAt && record.expiresAt <= now) || !record.user.active) return null;
  if (!record.lastUsedAt || now.getTime() - record.lastUsedAt.getTime() > TOUCH_INTERVAL_MS) {
    await db.apiToken.update({ where: { id: record.id }, data: { lastUsedAt: now } });
  }
  const { user } = record;
  await touchUser(db, user, now);
  return {
    viewer: { userId: user.id, workspaceId: user.workspaceId, role: user.role, csrfToken: null },
    credential: { kind: "apiToken", id: record.id, expiresAt: record.expiresAt },
  };
}

export async function viewerFromApiToken(db: Database, token: string): Promise<Viewer | null> {
  return (await authenticateApiToken(db, token))?.viewer ?? null;
}

export interface NewApiToken {
  /** The secret itself: shown once, never stored. */
  token: string;
  apiToken: ApiToken;
}

export async function createApiToken(
  db: Database,
  viewer: Viewer,
  name: string,
  expiresInDays?: number | null,
): Promise<NewApiToken> {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 100) throw ValidationError.of("name", "Give the token a name of 1 to 100 characters");
  if (expiresInDays != null && (!Number.isInteger(expiresInDays) || expiresInDays < 1 || expiresInDays > 3650)) {
    throw ValidationError.of("expiresInDays", "Expiry must be between 1 and 3650 days");
  }
  const token = generateToken(API_TOKEN_PREFIX);
  const apiToken = await db.apiToken.create({
    data: {
      userId: viewer.userId,
      name: trimmed,
      tokenHash: hashToken(token),
      expiresAt: expiresInDays ? new Date(Date.now() + expiresInDays * 86_400_000) : null,
    },
  });
  return { token, apiToken };
}

/** Revokes the token for HTTP at once and, through the revocation event, closes its sockets on every instance. */
export async function revokeApiToken(db: Database, pubsub: InboxPubSub, viewer: Viewer, id: string): Promise<ApiToken> {
  const owned = await db.apiToken.findFirst({ where: { id, userId: viewer.userId } });
  if (!owned) throw new NotFoundError("API token");
  if (owned.revokedAt) return owned;
  const revoked = await db.apiToken.update({ where: { id }, data: { revokedAt: new Date() } });
  publishRevocation(pubsub, { kind: "apiToken", id });
  return revoked;
}
