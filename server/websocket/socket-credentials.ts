import { CloseCode } from "graphql-ws";
import { WebSocket } from "ws";
import type { Authentication, Viewer } from "../auth/auth.service.ts";
import type { SocketAuthenticator } from "../auth/socket-auth.ts";
import type { Revocation } from "../realtime/events.ts";
import type { InboxPubSub } from "../realtime/pubsub.ts";

/**
 * How long a socket trusts its last check of the credential before an operation asks the
 * database again. Revocation events end that trust at once; this bounds it when an event was
 * missed or the database was changed by hand. At most one query per socket and second.
 * @default 1000
 */
export const CREDENTIAL_TRUST_MS = 1_000;
/** How often live sockets are looked at: an expired credential's socket closes at most this late. @default 250 */
export const SWEEP_INTERVAL_MS = 250;
/** A socket that runs no operations has its credential checked again this often, in case a revocation event was missed. @default 60 s */
export const IDLE_RECHECK_MS = 60_000;

/** The session ended or expired, or the token was revoked or expired: graphql-ws clients do not retry 4401. */
const CREDENTIAL_ENDED = [CloseCode.Unauthorized, "Unauthorized: the session ended or the API token was revoked or expired"] as const;
/** The user was deactivated or their role changed: a new socket learns what they may still do. */
const ACCESS_CHANGED = [CloseCode.Forbidden, "Forbidden: the user's access changed"] as const;

/** One open socket and what it proved. */
export interface LiveCredential {
  readonly viewer: Viewer;
}

interface Entry extends LiveCredential {
  readonly socket: WebSocket;
  readonly authenticate: SocketAuthenticator;
  authentication: Authentication;
  /** When the credential was last found valid (the start of that check). */
  checkedAt: number;
  ended: boolean;
}

function sameAccess(before: Viewer, now: Viewer) {
  return before.userId === now.userId && before.workspaceId === now.workspaceId && before.role === now.role;
}

/**
 * The credentials of every open GraphQL socket of this instance, kept honest: a revocation event
 * (from any instance, through the pub/sub) closes the sockets of that session, token or user at
 * once; an expiry closes its socket on time without any event; and every operation checks the
 * credential again, against the database when the last check is older than {@link CREDENTIAL_TRUST_MS}.
 */
export function createSocketCredentials(pubsub: InboxPubSub) {
  const entries = new Set<Entry>();
  /** Checks under way, one per credential: sockets sharing a session or token share its query. */
  const checking = new Map<string, Promise<Authentication | null>>();
  /** Counts revocations heard, so that a check that raced one is made again. */
  let revocationsHeard = 0;

  function end(entry: Entry, [code, reason]: readonly [number, string]) {
    if (entry.ended) return;
    entry.ended = true;
    entries.delete(entry);
    if (entry.socket.readyState === WebSocket.OPEN || entry.socket.readyState === WebSocket.CONNECTING) entry.socket.close(code, reason);
  }

  function authenticateShared(entry: Entry): Promise<Authentication | null> {
    const { kind, id } = entry.authentication.credential;
    const key = `${kind}:${id}`;
    let check = checking.get(key);
    if (!check) {
      check = entry.authenticate().finally(() => checking.delete(key));
      checking.set(key, check);
    }
    return check;
  }

  function expired(entry: Entry, now: number) {
    const { expiresAt } = entry.authentication.credential;
    return expiresAt !== null && expiresAt.getTime() <= now;
  }

  /** Whether the socket may still act for its viewer; when not, it is being closed (4401 or 4403). */
  async function verify(credential: LiveCredential): Promise<boolean> {
    const entry = credential as Entry;
    if (entry.ended) return false;
    const startedAt = Date.now();
    if (expired(entry, startedAt)) {
      end(entry, CREDENTIAL_ENDED);
      return false;
    }
    if (startedAt - entry.checkedAt < CREDENTIAL_TRUST_MS) return true;
    const current = await authenticateShared(entry);
    // A revocation heard while the database answered has closed the socket already.
    if (entry.ended) return false;
    if (!current) {
      end(entry, CREDENTIAL_ENDED);
      return false;
    }
    if (!sameAccess(entry.viewer, current.viewer)) {
      end(entry, ACCESS_CHANGED);
      return false;
    }
    entry.authentication = { viewer: entry.viewer, credential: current.credential };
    entry.checkedAt = Math.max(entry.checkedAt, startedAt);
    return true;
  }

  function revoke(revocation: Revocation) {
    revocationsHeard++;
    for (const entry of entries) {
      const { credential } = entry.authentication;
      if (revocation.kind === "user") {
        if (entry.viewer.userId === revocation.id) end(entry, ACCESS_CHANGED);
      } else if (credential.kind === revocation.kind && credential.id === revocation.id) {
        end(entry, CREDENTIAL_ENDED);
      }
    }
  }

  function sweep() {
    const now = Date.now();
    for (const entry of entries) {
      if (expired(entry, now)) end(entry, CREDENTIAL_ENDED);
      // A database that cannot answer now is asked again at the next sweep.
      else if (now - entry.checkedAt >= IDLE_RECHECK_MS) verify(entry).catch(() => {});
    }
  }

  const revocations = pubsub.subscribe("revoked");
  const listening = (async () => {
    for await (const revocation of revocations) revoke(revocation);
  })();
  const sweeper = setInterval(sweep, SWEEP_INTERVAL_MS);
  sweeper.unref();

  return {
    /**
     * Authenticates a new socket and tracks it until it closes; null when its credential is not
     * (or no longer) valid. A revocation heard during the check may have been committed after the
     * database answered: the credential is then checked once more.
     */
    async admit(socket: WebSocket, authenticate: SocketAuthenticator): Promise<LiveCredential | null> {
      const heardBefore = revocationsHeard;
      const startedAt = Date.now();
      let authentication = await authenticate();
      if (authentication && revocationsHeard !== heardBefore) authentication = await authenticate();
      if (!authentication || socket.readyState !== WebSocket.OPEN) return null;
      const entry: Entry = { socket, authenticate, authentication, viewer: authentication.viewer, checkedAt: startedAt, ended: false };
      entries.add(entry);
      socket.once("close", () => {
        entry.ended = true;
        entries.delete(entry);
      });
      return entry;
    },
    verify,
    async close() {
      clearInterval(sweeper);
      await revocations.return?.();
      await listening;
    },
  };
}

export type SocketCredentials = ReturnType<typeof createSocketCredentials>;
