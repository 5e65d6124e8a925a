import { parseOptOutKeywords } from "../contacts/consent.ts";
import { z } from "zod";
import { isTimeZone } from "../autoreply/business-hours.ts";
import { normalizeEmail } from "../auth/email.ts";
import { DEACTIVATED_MESSAGE, startSession, type StartedSession, type Viewer } from "../auth/auth.service.ts";
import { hashPassword, passwordProblem, verifyPassword } from "../auth/password.ts";
import { requireAdmin } from "../auth/roles.ts";
import { generateToken, hashToken } from "../auth/tokens.ts";
import type { Database } from "../db/client.ts";
import { ExpectedError, NotFoundError, ValidationError } from "../errors.ts";
import type { Invite, User, UserRole } from "../generated/prisma/client.ts";
import { publishInboxEvents, publishRevocation, type InboxPubSub } from "../realtime/pubsub.ts";
import type { Mailer } from "./mailer.ts";

/** How long an invitation or reset link can be used. */
export const INVITE_TTL_DAYS = 7;

export interface TeamDeps {
  db: Database;
  pubsub: InboxPubSub;
  /** Null without SMTP_URL: the admin hands the link over themselves. */
  mailer: Mailer | null;
}

/** An invitation or reset link as the admin sees it once: the secret is in `url`, never stored. */
export interface IssuedInvite {
  invite: Invite;
  url: string;
}

const emailSchema = z.email().max(320);

function normalisedEmail(email: string, field = "email") {
  const trimmed = normalizeEmail(email);
  if (!emailSchema.safeParse(trimmed).success) throw ValidationError.of(field, "Enter an email address such as priya@example.com");
  return trimmed;
}

function personName(name: string, field = "name") {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 100) throw ValidationError.of(field, "Give a name of 1 to 100 characters");
  return trimmed;
}

function requireGoodPassword(password: string, field = "password") {
  const problem = passwordProblem(password);
  if (problem) throw ValidationError.of(field, problem);
}

/** `…/invite/<token>`: the join page; the same page sets a new password for a reset link. */
export function inviteUrl(publicUrl: string, token: string) {
  return `${publicUrl.replace(/\/+$/, "")}/invite/${token}`;
}

async function issueLink(
  deps: TeamDeps,
  publicUrl: string,
  data: Pick<Invite, "workspaceId" | "kind" | "email" | "name" | "role" | "userId">,
): Promise<IssuedInvite> {
  const token = generateToken();
  const invite = await deps.db.$transaction(async (tx) => {
    // One live link per person and purpose: re-inviting replaces the link sent before.
    await tx.invite.updateMany({
      where: { workspaceId: data.workspaceId, email: data.email, kind: data.kind, usedAt: null, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    return tx.invite.create({
      data: { ...data, tokenHash: hashToken(token), expiresAt: new Date(Date.now() + INVITE_TTL_DAYS * 86_400_000) },
    });
  });
  const url = inviteUrl(publicUrl, token);
  const workspace = await deps.db.workspace.findUniqueOrThrow({ where: { id: data.workspaceId }, select: { name: true } });
  // Not awaited: a slow mail server must not keep the admin waiting for the link they can copy.
  void deps.mailer?.sendLink({ kind: data.kind, to: data.email, name: data.name, workspaceName: workspace.name, url, expiresAt: invite.expiresAt });
  return { invite, url };
}

export interface InviteAgentInput {
  email: string;
  name: string;
  role: UserRole;
}

export async function inviteAgent(deps: TeamDeps, viewer: Viewer, publicUrl: string, input: InviteAgentInput): Promise<IssuedInvite> {
  requireAdmin(viewer, "invite people");
  const email = normalisedEmail(input.email);
  const name = personName(input.name);
  if (await deps.db.user.findUnique({ where: { email }, select: { id: true } })) {
    throw ValidationError.of("email", "Someone already has an account with this email");
  }
  return issueLink(deps, publicUrl, { workspaceId: viewer.workspaceId, kind: "INVITE", email, name, role: input.role, userId: null });
}

/** The workspace's invitations that can still be used, newest first. */
export async function pendingInvites(db: Database, viewer: Viewer) {
  requireAdmin(viewer, "see invitations");
  return db.invite.findMany({
    where: { workspaceId: viewer.workspaceId, kind: "INVITE", usedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
    orderBy: { createdAt: "desc" },
  });
}

export async function revokeInvite(deps: TeamDeps, viewer: Viewer, id: string): Promise<Invite> {
  requireAdmin(viewer, "revoke invitations");
  const invite = await deps.db.invite.findFirst({ where: { id, workspaceId: viewer.workspaceId } });
  if (!invite) throw new NotFoundError("Invite");
  if (invite.revokedAt || invite.usedAt) return invite;
  return deps.db.invite.update({ where: { id }, data: { revokedAt: new Date() } });
}

async function agentOf(db: Database, viewer: Viewer, userId: string): Promise<User> {
  const user = await db.user.findFirst({ where: { id: userId, workspaceId: viewer.workspaceId } });
  if (!user) throw new NotFoundError("Agent");
  return user;
}

export async function issuePasswordReset(deps: TeamDeps, viewer: Viewer, publicUrl: string, userId: string): Promise<IssuedInvite> {
  requireAdmin(viewer, "reset passwords");
  const user = await agentOf(deps.db, viewer, userId);
  return issueLink(deps, publicUrl, { workspaceId: viewer.workspaceId, kind: "PASSWORD_RESET", email: user.email, name: user.name, role: user.role, userId: user.id });
}

/** Why a link cannot be used, in words for the person holding it. */
/** A link that was used, withdrawn, has expired, or never existed: gone for good, so 410. */
export class InviteUnusableError extends ExpectedError {
  override name = "InviteUnusableError";
  readonly code = "INVITE_UNUSABLE";
  readonly httpStatus = 410;
}

async function usableInvite(db: Pick<Database, "invite">, token: string) {
  const invite = await db.invite.findUnique({ where: { tokenHash: hashToken(token) }, include: { workspace: { select: { name: true } } } });
  if (!invite) throw new InviteUnusableError("This link is not valid. Ask an admin of your workspace for a new one.");
  if (invite.usedAt) throw new InviteUnusableError("This link has already been used. Log in, or ask an admin for a new link.");
  if (invite.revokedAt) throw new InviteUnusableError("This link was withdrawn by an admin. Ask them for a new one.");
  if (invite.expiresAt <= new Date()) throw new InviteUnusableError(`This link has expired (links last ${INVITE_TTL_DAYS} days). Ask an admin for a new one.`);
  return invite;
}

/** What the join page shows before the password is chosen. */
export async function describeInvite(db: Database, token: string) {
  const invite = await usableInvite(db, token);
  return { kind: invite.kind, email: invite.email, name: invite.name, workspaceName: invite.workspace.name };
}

/**
 * Spends the link: an invitation creates the user, a reset sets the password and ends the
 * user's sessions. Either way the holder is signed in. One transaction, and the link is marked
 * used only while still unused, so two clicks cannot both succeed.
 */
export async function acceptInvite(deps: TeamDeps, token: string, password: string, ttlHours: number): Promise<StartedSession> {
  requireGoodPassword(password);
  const passwordHash = await hashPassword(password);
  const { started, endedUserId } = await deps.db.$transaction(async (tx) => {
    const invite = await usableInvite(tx, token);
    const spent = await tx.invite.updateMany({ where: { id: invite.id, usedAt: null, revokedAt: null }, data: { usedAt: new Date() } });
    if (spent.count !== 1) throw new InviteUnusableError("This link has already been used. Log in, or ask an admin for a new link.");
    if (invite.kind === "PASSWORD_RESET") {
      const holder = await tx.user.findUniqueOrThrow({ where: { id: invite.userId! }, select: { active: true } });
      if (!holder.active) throw new InviteUnusableError(DEACTIVATED_MESSAGE);
      const user = await tx.user.update({ where: { id: invite.userId! }, data: { passwordHash } });
      await tx.session.deleteMany({ where: { userId: user.id } });
      return { started: await startSession(tx, user, ttlHours), endedUserId: user.id };
    }
    if (await tx.user.findUnique({ where: { email: invite.email }, select: { id: true } })) {
      throw new InviteUnusableError("Someone already has an account with this email. Log in instead.");
    }
    const user = await tx.user.create({
      data: { workspaceId: invite.workspaceId, email: invite.email, name: invite.name, role: invite.role, passwordHash },
    });
    return { started: await startSession(tx, user, ttlHours), endedUserId: null };
  });
  // The old password's sessions end everywhere, their sockets too (the new session opens new ones).
  if (endedUserId) publishRevocation(deps.pubsub, { kind: "user", id: endedUserId });
  return started;
}

/**
 * Serialises changes to a workspace's admins: on PostgreSQL two admins demoting each other at
 * once would otherwise each still count the other, and leave nobody.
 */
async function lockWorkspace(tx: Pick<Database, "$executeRaw">, workspaceId: string) {
  await tx.$executeRaw`UPDATE "Workspace" SET "name" = "name" WHERE "id" = ${workspaceId}`;
}

const LAST_ADMIN = "The last active admin can be neither demoted nor deactivated: make someone else admin first";

/** Applies `change` to the user, refusing it when the workspace would be left without an active admin. */
async function changeAccess(deps: TeamDeps, viewer: Viewer, userId: string, change: { role?: UserRole; active?: boolean }, field: string) {
  const user = await agentOf(deps.db, viewer, userId);
  const updated = await deps.db.$transaction(async (tx) => {
    await lockWorkspace(tx, viewer.workspaceId);
    const changed = await tx.user.update({ where: { id: user.id }, data: change });
    const admins = await tx.user.count({ where: { workspaceId: viewer.workspaceId, role: "ADMIN", active: true } });
    if (admins === 0) throw ValidationError.of(field, LAST_ADMIN);
    return changed;
  });
  // Open sockets were admitted with the old role or while active: close them (4403) everywhere.
  if (user.role !== updated.role || user.active !== updated.active) publishRevocation(deps.pubsub, { kind: "user", id: user.id });
  return updated;
}

export async function setAgentRole(deps: TeamDeps, viewer: Viewer, userId: string, role: UserRole) {
  requireAdmin(viewer, "change roles");
  return changeAccess(deps, viewer, userId, { role }, "role");
}

/**
 * Cuts the person off at once: sessions deleted, API tokens revoked, sockets closed, their open
 * conversations back to Unassigned for the rest of the team. Notes and history stay theirs.
 */
export async function deactivateAgent(deps: TeamDeps, viewer: Viewer, userId: string) {
  requireAdmin(viewer, "deactivate people");
  const user = await changeAccess(deps, viewer, userId, { active: false }, "id");
  const unassigned = await deps.db.$transaction(async (tx) => {
    await tx.session.deleteMany({ where: { userId } });
    await tx.apiToken.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: new Date() } });
    const open = await tx.conversation.findMany({ where: { assigneeId: userId, status: "OPEN" }, select: { id: true } });
    await tx.conversation.updateMany({ where: { id: { in: open.map(({ id }) => id) } }, data: { assigneeId: null } });
    return open;
  });
  publishInboxEvents(
    deps.pubsub,
    unassigned.map(({ id }) => ({ workspaceId: viewer.workspaceId, event: { type: "conversationUpdated" as const, conversationId: id } })),
  );
  return user;
}

export async function reactivateAgent(deps: TeamDeps, viewer: Viewer, userId: string) {
  requireAdmin(viewer, "reactivate people");
  return changeAccess(deps, viewer, userId, { active: true }, "id");
}

/** Sets the caller's own password; their other sessions end (this one stays). */
export async function changePassword(deps: TeamDeps, viewer: Viewer, currentSessionId: string | null, currentPassword: string, newPassword: string) {
  const user = await deps.db.user.findUniqueOrThrow({ where: { id: viewer.userId } });
  if (!(await verifyPassword(currentPassword, user.passwordHash))) throw ValidationError.of("currentPassword", "The current password is not right");
  requireGoodPassword(newPassword, "newPassword");
  const passwordHash = await hashPassword(newPassword);
  const ended = await deps.db.$transaction(async (tx) => {
    const others = await tx.session.findMany({ where: { userId: user.id, id: { not: currentSessionId ?? "" } }, select: { id: true } });
    await tx.session.deleteMany({ where: { id: { in: others.map(({ id }) => id) } } });
    await tx.user.update({ where: { id: user.id }, data: { passwordHash } });
    return others;
  });
  for (const { id } of ended) publishRevocation(deps.pubsub, { kind: "session", id });
  return user;
}

export interface SignupInput {
  workspaceName: string;
  name: string;
  email: string;
  password: string;
}

/** A new business: its workspace and first admin, signed in. Only offered with ALLOW_SIGNUP. */
export async function signup(db: Database, input: SignupInput, ttlHours: number): Promise<StartedSession> {
  const workspaceName = input.workspaceName.trim();
  const problems = [
    !workspaceName || workspaceName.length > 100 ? { field: "workspaceName", message: "Give your business a name of 1 to 100 characters" } : null,
    ...[() => personName(input.name), () => normalisedEmail(input.email), () => requireGoodPassword(input.password)].flatMap((check) => {
      try {
        check();
        return [];
      } catch (error) {
        if (error instanceof ValidationError) return error.fieldErrors;
        throw error;
      }
    }),
  ].filter((problem) => problem !== null);
  if (problems.length) throw new ValidationError(problems);
  const email = normalisedEmail(input.email);
  const passwordHash = await hashPassword(input.password);
  return db.$transaction(async (tx) => {
    if (await tx.user.findUnique({ where: { email }, select: { id: true } })) {
      throw ValidationError.of("email", "Someone already has an account with this email. Log in instead.");
    }
    const workspace = await tx.workspace.create({ data: { name: workspaceName } });
    const user = await tx.user.create({ data: { workspaceId: workspace.id, email, name: personName(input.name), role: "ADMIN", passwordHash } });
    return startSession(tx, user, ttlHours);
  });
}

export interface WorkspaceSettingsInput {
  name?: string | null;
  timeZone?: string | null;
  optOutKeywords?: readonly string[] | null;
}

/** The workspace's name and time zone (reports by day and hour, business hours of auto-replies). */
export async function updateWorkspaceSettings(db: Database, viewer: Viewer, input: WorkspaceSettingsInput) {
  requireAdmin(viewer, "change workspace settings");
  const problems = [];
  const name = input.name?.trim();
  if (input.name != null && (!name || name.length > 100)) problems.push({ field: "name", message: "Give the business a name of 1 to 100 characters" });
  if (input.timeZone != null && !isTimeZone(input.timeZone)) problems.push({ field: "timeZone", message: "Choose a time zone such as Asia/Kolkata" });
  if (problems.length) throw new ValidationError(problems);
  const optOutKeywords = input.optOutKeywords == null ? undefined : parseOptOutKeywords(input.optOutKeywords.length > 0 ? input.optOutKeywords : null);
  return db.workspace.update({
    where: { id: viewer.workspaceId },
    data: { ...(name ? { name } : {}), ...(input.timeZone ? { timeZone: input.timeZone } : {}), ...(optOutKeywords !== undefined ? { optOutKeywords } : {}) },
  });
}
