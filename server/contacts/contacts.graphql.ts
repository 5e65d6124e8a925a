import { builder } from "../graphql/builder.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { contactSearchFilter, createContact, deleteContact, updateContact } from "./contacts.service.ts";
import { formatPhoneInternational, waMeLink } from "./phone.ts";
import { MARKETING_CONSENT_STATES, optOutKeywordsOf, setContactLabels, setMarketingConsent } from "./consent.ts";

const MarketingConsentType = builder.enumType("MarketingConsent", {
  description: "Whether the customer agreed to marketing messages. Campaigns of MARKETING templates skip OPTED_OUT, and UNKNOWN too when opted-in only.",
  values: MARKETING_CONSENT_STATES,
});

const ContactType = builder.prismaObject("Contact", {
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
    email: t.exposeString("email", { nullable: true }),
    company: t.exposeString("company", { nullable: true }),
    notes: t.exposeString("notes", { nullable: true }),
    whatsappNumber: t.exposeString("whatsappNumber", { nullable: true, description: "E.164, e.g. +919876543210" }),
    formattedWhatsappNumber: t.string({
      nullable: true,
      description: "The number as people read it: international format, e.g. +91 98765 43210.",
      select: { whatsappNumber: true },
      resolve: (contact) => (contact.whatsappNumber ? formatPhoneInternational(contact.whatsappNumber) : null),
    }),
    conversation: t.prismaField({
      type: "Conversation",
      nullable: true,
      description: "The WhatsApp conversation with this contact, once there is one.",
      select: { id: true, workspaceId: true },
      resolve: (query, contact, _args, { db }) =>
        db.conversation.findFirst({ ...query, where: { workspaceId: contact.workspaceId, contactId: contact.id } }),
    }),
    whatsappLink: t.string({
      nullable: true,
      description: "https://wa.me/<digits>: opens a chat in WhatsApp Web or the app.",
      select: { whatsappNumber: true },
      resolve: (contact) => (contact.whatsappNumber ? waMeLink(contact.whatsappNumber) : null),
    }),
    removedFromPhoneAt: t.expose("removedFromPhoneAt", {
      type: "DateTime",
      nullable: true,
      description: "When the business removed this contact from the WhatsApp Business app's address book (coexistence); the CRM keeps it.",
    }),
    whatsappUsername: t.exposeString("whatsappUsername", { nullable: true, description: "The customer's WhatsApp username, from the business app's address book." }),
    marketingConsent: t.expose("marketingConsent", { type: MarketingConsentType }),
    marketingConsentAt: t.expose("marketingConsentAt", { type: "DateTime", nullable: true, description: "When the consent was last set; null while UNKNOWN." }),
    marketingConsentSource: t.exposeString("marketingConsentSource", {
      nullable: true,
      description: 'How they opted in (OPTED_IN), or why they opted out (OPTED_OUT), e.g. "Wrote \\"STOP\\"".',
    }),
    labels: t.prismaField({
      type: ["Label"],
      description: "The labels on the contact itself (a conversation has its own).",
      select: { id: true },
      resolve: (query, contact, _args, { db }) =>
        db.label.findMany({ ...query, where: { contacts: { some: { contactId: contact.id } } }, orderBy: { name: "asc" } }),
    }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
  }),
});

builder.prismaObjectField("Workspace", "optOutKeywords", (t) =>
  t.stringList({
    description: "Messages that opt a customer out of marketing (matched whole, ignoring case); the default list until an admin sets one.",
    select: { optOutKeywords: true },
    resolve: (workspace) => optOutKeywordsOf(workspace.optOutKeywords),
  }),
);

const ContactInput = builder.inputType("ContactInput", {
  fields: (t) => ({
    name: t.string({ required: true }),
    email: t.string(),
    company: t.string(),
    notes: t.string(),
    whatsappNumber: t.string({
      description: "Any common format; national numbers are read in DEFAULT_COUNTRY. Stored as E.164.",
    }),
  }),
});

const DeletedContact = builder.objectRef<{ id: string }>("DeletedContact").implement({
  fields: (t) => ({ id: t.exposeID("id") }),
});

builder.queryFields((t) => ({
  contacts: t.prismaConnection({
    type: "Contact",
    cursor: "id",
    description: "The workspace's contacts by name; `search` matches name, email, company or number digits.",
    args: { search: t.arg.string() },
    resolve: (query, _root, args, { db, viewer }) =>
      db.contact.findMany({
        ...query,
        where: contactSearchFilter(db, viewer.workspaceId, args.search),
        orderBy: [{ name: "asc" }, { id: "asc" }],
      }),
  }),
  contact: t.prismaField({
    type: "Contact",
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, { db, viewer }) =>
      db.contact.findFirst({ ...query, where: { id: String(args.id), workspaceId: viewer.workspaceId } }),
  }),
}));

builder.mutationFields((t) => ({
  createContact: t.field({
    type: ContactType,
    errors: { types: [ValidationError, NotFoundError], dataField: { name: "contact" } },
    args: {
      input: t.arg({ type: ContactInput, required: true }),
      conversationId: t.arg.id({
        description: "The conversation the contact is made from: linked to it even when the customer's number is hidden behind a username.",
      }),
    },
    resolve: (_root, { input, conversationId }, { db, viewer, config }) =>
      createContact(db, viewer.workspaceId, input, config.DEFAULT_COUNTRY, conversationId == null ? null : String(conversationId)),
  }),
  updateContact: t.field({
    type: ContactType,
    errors: { types: [ValidationError, NotFoundError], dataField: { name: "contact" } },
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: ContactInput, required: true }) },
    resolve: (_root, { id, input }, { db, viewer, config }) =>
      updateContact(db, viewer.workspaceId, String(id), input, config.DEFAULT_COUNTRY),
  }),
  setContactMarketingConsent: t.field({
    type: ContactType,
    description: "Records the contact's marketing consent; OPTED_IN needs `source`, how they agreed.",
    errors: { types: [ValidationError, NotFoundError], dataField: { name: "contact" } },
    args: {
      contactId: t.arg.id({ required: true }),
      state: t.arg({ type: MarketingConsentType, required: true }),
      source: t.arg.string({ description: "How they opted in, or why they opted out." }),
    },
    resolve: (_root, { contactId, state, source }, { db, viewer }) => setMarketingConsent(db, viewer.workspaceId, String(contactId), { state, source }),
  }),
  setContactLabels: t.field({
    type: ContactType,
    description: "Puts exactly these labels on the contact (the same labels as conversations').",
    errors: { types: [NotFoundError], dataField: { name: "contact" } },
    args: { contactId: t.arg.id({ required: true }), labelIds: t.arg.idList({ required: true }) },
    resolve: (_root, { contactId, labelIds }, { db, viewer }) => setContactLabels(db, viewer.workspaceId, String(contactId), labelIds.map(String)),
  }),
  deleteContact: t.field({
    type: DeletedContact,
    errors: { types: [NotFoundError], dataField: { name: "deleted" } },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { db, viewer }) => deleteContact(db, viewer.workspaceId, String(id)),
  }),
}));
