import { parsePhoneNumberFromString } from "libphonenumber-js";
import { ForbiddenError, NotFoundError, ValidationError } from "../errors.ts";
import { builder } from "../graphql/builder.ts";
import { ErrorInterface } from "../graphql/errors.graphql.ts";
import {
  connectWhatsAppNumber,
  disconnectWhatsAppNumber,
  WhatsAppNumberNotFoundError,
  WhatsAppNumberTakenError,
  WhatsAppTokenRefusedError,
  WhatsAppUnavailableError,
  workspaceNumbers,
} from "./connect.service.ts";

builder.objectType(WhatsAppTokenRefusedError, {
  name: "WhatsAppTokenRefusedError",
  description: "Meta refused the access token (expired, revoked, mistyped, or without whatsapp_business_management): nothing was stored.",
  interfaces: [ErrorInterface],
  fields: (t) => ({ metaCode: t.int({ nullable: true, description: "Meta's error code, e.g. 190.", resolve: (error) => error.metaCode }) }),
});
builder.objectType(WhatsAppNumberNotFoundError, {
  name: "WhatsAppNumberNotFoundError",
  description: "Meta knows no such number for this token, or it is not in that business account: nothing was stored.",
  interfaces: [ErrorInterface],
  fields: (t) => ({ field: t.exposeString("field", { description: "The input to correct: phoneNumberId or businessAccountId." }) }),
});
builder.objectType(WhatsAppNumberTakenError, {
  name: "WhatsAppNumberTakenError",
  description: "Another workspace has this number connected: nothing was stored.",
  interfaces: [ErrorInterface],
  fields: () => ({}),
});
builder.objectType(WhatsAppUnavailableError, {
  name: "WhatsAppUnavailableError",
  description: "Meta could not be asked right now: nothing was stored; try again.",
  interfaces: [ErrorInterface],
  fields: (t) => ({ metaCode: t.int({ nullable: true, resolve: (error) => error.metaCode }) }),
});

const NumberStatusType = builder.enumType("WhatsAppNumberStatus", {
  values: {
    CONNECTED: { description: "Sends and receives." },
    DISCONNECTED: { description: "Disconnected by an admin: nothing is sent from it and its webhooks are not routed; its conversations stay." },
  },
});

export const WhatsAppNumberType = builder.prismaObject("WhatsAppPhoneNumber", {
  description: "A WhatsApp business number of the workspace. Its access token is never shown.",
  fields: (t) => ({
    id: t.exposeID("phoneNumberId", { description: "Meta's phone number ID: stable, and one workspace's at most." }),
    phoneNumberId: t.exposeString("phoneNumberId"),
    businessAccountId: t.exposeString("businessAccountId", { nullable: true, description: "The WhatsApp Business Account (its templates)." }),
    displayPhoneNumber: t.string({
      nullable: true,
      description: "The number customers see, as people read it (international format), e.g. +91 80000 00001.",
      // Webhooks and Meta's answers give it as digits or already spaced: shown one way.
      resolve: ({ displayPhoneNumber }) =>
        displayPhoneNumber ? (parsePhoneNumberFromString(`+${displayPhoneNumber.replace(/\D/g, "")}`)?.formatInternational() ?? displayPhoneNumber) : null,
    }),
    verifiedName: t.exposeString("verifiedName", { nullable: true, description: "The business name Meta shows customers." }),
    qualityRating: t.exposeString("qualityRating", { nullable: true, description: "Meta's quality rating: GREEN, YELLOW, RED, NA or UNKNOWN." }),
    throughputLevel: t.exposeString("throughputLevel", { nullable: true, description: "Meta's throughput level: STANDARD, HIGH or NOT_APPLICABLE." }),
    messagingLimitTier: t.exposeString("messagingLimitTier", { nullable: true, description: "New customers per 24 hours: TIER_250 … TIER_UNLIMITED." }),
    coexistence: t.exposeBoolean("coexistence", { description: "Also used in the WhatsApp Business app (coexistence)." }),
    status: t.field({ type: NumberStatusType, resolve: (number) => number.status }),
    connectedAt: t.expose("connectedAt", { type: "DateTime", nullable: true }),
  }),
});

const ConnectInput = builder.inputType("ConnectWhatsAppNumberInput", {
  fields: (t) => ({
    phoneNumberId: t.string({ required: true, description: "WhatsApp → API Setup: the Phone number ID (digits; not the number itself)." }),
    businessAccountId: t.string({ required: true, description: "The WhatsApp Business Account ID (digits)." }),
    accessToken: t.string({ required: true, description: "A System User token with whatsapp_business_messaging and whatsapp_business_management; stored sealed, never shown again." }),
  }),
});

builder.queryFields((t) => ({
  whatsappNumbers: t.prismaField({
    type: ["WhatsAppPhoneNumber"],
    description: "The workspace's WhatsApp numbers, connected or not, the first connected one being the default (everyone: the inbox shows them).",
    resolve: (_query, _root, _args, { db, viewer }) => workspaceNumbers(db, viewer.workspaceId),
  }),
}));

builder.mutationFields((t) => ({
  connectWhatsAppNumber: t.prismaField({
    type: "WhatsAppPhoneNumber",
    description:
      "Checks the number with Meta (its details, that it is in the business account), subscribes the app to the account's webhooks, and connects it to the workspace (admins). Again for a number of the workspace: a new token.",
    errors: {
      types: [ValidationError, WhatsAppTokenRefusedError, WhatsAppNumberNotFoundError, WhatsAppNumberTakenError, WhatsAppUnavailableError, ForbiddenError],
      dataField: { name: "number" },
    },
    args: { input: t.arg({ type: ConnectInput, required: true }) },
    resolve: (_query, _root, { input }, { db, numbers, viewer }) => connectWhatsAppNumber({ db, numbers }, viewer, input),
  }),
  disconnectWhatsAppNumber: t.prismaField({
    type: "WhatsAppPhoneNumber",
    description: "Stops sending and receiving on the number and forgets its token (admins); its conversations and history stay.",
    errors: { types: [NotFoundError, ForbiddenError], dataField: { name: "number" } },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_query, _root, { id }, { db, numbers, viewer }) => disconnectWhatsAppNumber({ db, numbers }, viewer, String(id)),
  }),
}));
