import { UserRoleType, UserType, WorkspaceType } from "../auth/auth.graphql.ts";
import { ForbiddenError, NotFoundError, ValidationError } from "../errors.ts";
import { builder } from "../graphql/builder.ts";
import type { GraphQLContext } from "../graphql/context.ts";
import {
  changePassword,
  deactivateAgent,
  inviteAgent,
  issuePasswordReset,
  pendingInvites,
  reactivateAgent,
  revokeInvite,
  setAgentRole,
  updateWorkspaceSettings,
  type IssuedInvite,
} from "./team.service.ts";
import type { Invite } from "../generated/prisma/client.ts";

builder.prismaObjectFields("User", (t) => ({
  active: t.exposeBoolean("active", { description: "False once an admin deactivated the person: they can no longer sign in." }),
  lastSeenAt: t.expose("lastSeenAt", { type: "DateTime", nullable: true, description: "Their last request (to the minute)." }),
}));

builder.prismaObjectFields("Workspace", (t) => ({
  timeZone: t.exposeString("timeZone", { description: "IANA time zone: reports by day and hour, business hours of auto-replies." }),
}));

/** An invitation (or reset link) as an admin sees it; `url` only in the answer that issued it. */
type InviteShape = { invite: Invite; url: string | null };

const InviteType = builder.objectRef<InviteShape>("Invite").implement({
  description: "A single-use link to join the workspace (or to set a new password), valid 7 days.",
  fields: (t) => ({
    id: t.id({ resolve: ({ invite }) => invite.id }),
    email: t.string({ resolve: ({ invite }) => invite.email }),
    name: t.string({ resolve: ({ invite }) => invite.name }),
    role: t.field({ type: UserRoleType, resolve: ({ invite }) => invite.role }),
    url: t.string({
      nullable: true,
      description: "The link, ending in its secret token: only in the answer that issued it (it is stored hashed).",
      resolve: ({ url }) => url,
    }),
    expiresAt: t.field({ type: "DateTime", resolve: ({ invite }) => invite.expiresAt }),
    createdAt: t.field({ type: "DateTime", resolve: ({ invite }) => invite.createdAt }),
  }),
});

const issued = ({ invite, url }: IssuedInvite): InviteShape => ({ invite, url });
const teamDeps = ({ db, pubsub, mailer }: GraphQLContext) => ({ db, pubsub, mailer });

const InviteAgentInput = builder.inputType("InviteAgentInput", {
  fields: (t) => ({
    email: t.string({ required: true }),
    name: t.string({ required: true }),
    role: t.field({ type: UserRoleType, required: true }),
  }),
});

const WorkspaceSettingsInput = builder.inputType("WorkspaceSettingsInput", {
  description: "Only the fields given change.",
  fields: (t) => ({
    name: t.string(),
    timeZone: t.string({ description: "IANA time zone, e.g. Asia/Kolkata." }),
    optOutKeywords: t.stringList({ description: "Messages that opt a customer out of marketing, e.g. [\"STOP\", \"UNSUBSCRIBE\"]; an empty list restores the default list." }),
  }),
});

builder.queryFields((t) => ({
  invites: t.field({
    type: [InviteType],
    description: "Invitations not yet used, revoked or expired, newest first (admins).",
    errors: { types: [ForbiddenError], dataField: { name: "invites" } },
    resolve: async (_root, _args, { db, viewer }) => (await pendingInvites(db, viewer)).map((invite) => ({ invite, url: null })),
  }),
}));

builder.mutationFields((t) => ({
  inviteAgent: t.field({
    type: InviteType,
    description: "Issues a join link (replacing any earlier one for that email); emailed too when SMTP_URL is set.",
    errors: { types: [ValidationError, ForbiddenError], dataField: { name: "invite" } },
    args: { input: t.arg({ type: InviteAgentInput, required: true }) },
    resolve: async (_root, { input }, context) => issued(await inviteAgent(teamDeps(context), context.viewer, context.publicUrl, input)),
  }),
  revokeInvite: t.field({
    type: InviteType,
    errors: { types: [NotFoundError, ForbiddenError], dataField: { name: "invite" } },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, context) => ({ invite: await revokeInvite(teamDeps(context), context.viewer, String(id)), url: null }),
  }),
  createPasswordResetLink: t.field({
    type: InviteType,
    description: "A single-use link (7 days) for the agent to set a new password; using it ends their sessions.",
    errors: { types: [NotFoundError, ForbiddenError], dataField: { name: "invite" } },
    args: { userId: t.arg.id({ required: true }) },
    resolve: async (_root, { userId }, context) => issued(await issuePasswordReset(teamDeps(context), context.viewer, context.publicUrl, String(userId))),
  }),
  setAgentRole: t.field({
    type: UserType,
    description: "Refused (ValidationError) for the workspace's last active admin.",
    errors: { types: [ValidationError, NotFoundError, ForbiddenError], dataField: { name: "agent" } },
    args: { id: t.arg.id({ required: true }), role: t.arg({ type: UserRoleType, required: true }) },
    resolve: (_root, { id, role }, context) => setAgentRole(teamDeps(context), context.viewer, String(id), role),
  }),
  deactivateAgent: t.field({
    type: UserType,
    description: "Cuts the person off at once (sessions, API tokens, open sockets); their open conversations become unassigned.",
    errors: { types: [ValidationError, NotFoundError, ForbiddenError], dataField: { name: "agent" } },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, context) => deactivateAgent(teamDeps(context), context.viewer, String(id)),
  }),
  reactivateAgent: t.field({
    type: UserType,
    errors: { types: [ValidationError, NotFoundError, ForbiddenError], dataField: { name: "agent" } },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, context) => reactivateAgent(teamDeps(context), context.viewer, String(id)),
  }),
  changePassword: t.field({
    type: UserType,
    description: "The caller's own password; their other sessions end.",
    errors: { types: [ValidationError], dataField: { name: "user" } },
    args: { currentPassword: t.arg.string({ required: true }), newPassword: t.arg.string({ required: true }) },
    resolve: (_root, { currentPassword, newPassword }, context) =>
      changePassword(teamDeps(context), context.viewer, context.sessionId, currentPassword, newPassword),
  }),
  updateWorkspaceSettings: t.field({
    type: WorkspaceType,
    errors: { types: [ValidationError, ForbiddenError], dataField: { name: "workspace" } },
    args: { input: t.arg({ type: WorkspaceSettingsInput, required: true }) },
    resolve: (_root, { input }, { db, viewer }) => updateWorkspaceSettings(db, viewer, input),
  }),
}));
