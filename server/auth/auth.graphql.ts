import { UserRole } from "../generated/prisma/enums.ts";
import { builder } from "../graphql/builder.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { createApiToken, revokeApiToken, type NewApiToken } from "./auth.service.ts";

export const UserRoleType = builder.enumType(UserRole, { name: "UserRole" });

export const WorkspaceType = builder.prismaObject("Workspace", {
  fields: (t) => ({ id: t.exposeID("id"), name: t.exposeString("name") }),
});

export const UserType = builder.prismaObject("User", {
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
    email: t.exposeString("email"),
    role: t.expose("role", { type: UserRoleType }),
    workspace: t.relation("workspace"),
  }),
});

const ApiTokenType = builder.prismaObject("ApiToken", {
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    lastUsedAt: t.expose("lastUsedAt", { type: "DateTime", nullable: true }),
    expiresAt: t.expose("expiresAt", { type: "DateTime", nullable: true }),
    revokedAt: t.expose("revokedAt", { type: "DateTime", nullable: true }),
  }),
});

const NewApiTokenType = builder.objectRef<NewApiToken>("NewApiToken").implement({
  fields: (t) => ({
    token: t.exposeString("token", { description: "The secret: shown this once, never again." }),
    apiToken: t.field({ type: ApiTokenType, resolve: (result) => result.apiToken }),
  }),
});

builder.queryFields((t) => ({
  viewer: t.prismaField({
    type: "User",
    description: "The signed-in user.",
    resolve: (query, _root, _args, { db, viewer }) => db.user.findUniqueOrThrow({ ...query, where: { id: viewer.userId } }),
  }),
  apiTokens: t.prismaField({
    type: ["ApiToken"],
    description: "The signed-in user's API tokens, newest first.",
    resolve: (query, _root, _args, { db, viewer }) =>
      db.apiToken.findMany({ ...query, where: { userId: viewer.userId }, orderBy: { createdAt: "desc" } }),
  }),
}));

builder.mutationFields((t) => ({
  createApiToken: t.field({
    type: NewApiTokenType,
    errors: { types: [ValidationError] },
    args: {
      name: t.arg.string({ required: true }),
      expiresInDays: t.arg.int({ required: false }),
    },
    resolve: (_root, args, { db, viewer }) => createApiToken(db, viewer, args.name, args.expiresInDays),
  }),
  revokeApiToken: t.field({
    type: ApiTokenType,
    errors: { types: [NotFoundError] },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, { db, pubsub, viewer }) => revokeApiToken(db, pubsub, viewer, String(args.id)),
  }),
}));
