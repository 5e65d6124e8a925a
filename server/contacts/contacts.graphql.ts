import { builder } from "../graphql/builder.ts";
import { ForbiddenError, NotFoundError, ValidationError } from "../errors.ts";
import { contactSearchFilter, createContact, deleteContact, updateContact } from "./contacts.service.ts";
import { formatPhoneInternational, waMeLink } from "./phone.ts";
import { requireAdmin } from "../auth/roles.ts";
import { customFieldKeys, importContacts, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, type ImportReport, type RefusedRow } from "./contact-import.ts";
import { MARKETING_CONSENT_STATES, optOutKeywordsOf, setContactLabels, setMarketingConsent } from "./consent.ts";

const MarketingConsentType = builder.enumType("MarketingConsent", {
  description: "Whether the customer agreed to marketing messages. Campaigns of MARKETING templates skip OPTED_OUT, and UNKNOWN too when opted-in only.",
  values: MARKETING_CONSENT_STATES,
});

const ContactCustomFieldType = builder.objectRef<{ key: string; value: string }>("ContactCustomField").implement({
  description: "One custom field of a contact: a CSV import's extra column. `key` is what a campaign variable's contactField names.",
  fields: (t) => ({ key: t.exposeString("key"), value: t.exposeString("value") }),
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
    customFields: t.field({
      type: [ContactCustomFieldType],
      description: "Custom fields from CSV imports (e.g. city, order_id), by key.",
      select: { fieldValues: { select: { key: true, value: true }, orderBy: { key: "asc" } } },
      resolve: (contact) => contact.fieldValues,
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

const ImportContactsInput = builder.inputType("ImportContactsInput", {
  fields: (t) => ({
    csv: t.string({
      required: true,
      description: `The file's text: a header line with name and phone (or mobile, whatsapp) and optionally email, company, notes and custom columns; at most ${MAX_IMPORT_BYTES / 1000} KB and ${MAX_IMPORT_ROWS.toLocaleString("en")} rows.`,
    }),
    labelIds: t.idList({ description: "Labels put on every imported contact (added to those it has)." }),
    dryRun: t.boolean({ description: "Check the file and answer the report without storing anything." }),
  }),
});

const RefusedRowType = builder.objectRef<RefusedRow>("ContactImportRefusedRow").implement({
  description: "A row of the file that cannot be imported, and why.",
  fields: (t) => ({
    line: t.exposeInt("line", { description: "The file's line (the header is line 1)." }),
    column: t.exposeString("column", { nullable: true, description: "The column's header, when one cell is at fault." }),
    value: t.exposeString("value"),
    reason: t.exposeString("reason"),
  }),
});

const ImportReportType = builder.objectRef<ImportReport>("ContactImportReport").implement({
  description: "What an import did, or would do: with any refused row nothing is stored.",
  fields: (t) => ({
    imported: t.exposeBoolean("imported", { description: "True once stored: never on a dry run or when a row was refused." }),
    dryRun: t.exposeBoolean("dryRun"),
    rows: t.exposeInt("rows", { description: "Contact rows in the file (the header not counted)." }),
    created: t.exposeInt("created", { description: "New contacts (made, or that would be)." }),
    updated: t.exposeInt("updated", { description: "Existing contacts with the same number, updated rather than duplicated." }),
    refused: t.field({ type: [RefusedRowType], resolve: (report) => report.refused }),
    customFields: t.exposeStringList("customFields", { description: "The custom columns' keys (snake_case), usable as campaign variables." }),
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
  contactCustomFields: t.stringList({
    description: "The keys of the workspace's custom contact fields (CSV import columns), usable as campaign variables.",
    resolve: (_root, _args, { db, viewer }) => customFieldKeys(db, viewer.workspaceId),
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
  importContacts: t.field({
    type: ImportReportType,
    description: "Imports contacts from CSV, all or nothing (admins): the report lists each refused row with its line and why.",
    errors: { types: [ValidationError, ForbiddenError], dataField: { name: "report" } },
    args: { input: t.arg({ type: ImportContactsInput, required: true }) },
    resolve: (_root, { input }, { db, viewer, config }) => {
      requireAdmin(viewer, "import contacts");
      return importContacts(db, viewer.workspaceId, { ...input, labelIds: input.labelIds?.map(String) }, config.DEFAULT_COUNTRY);
    },
  }),
  deleteContact: t.field({
    type: DeletedContact,
    errors: { types: [NotFoundError], dataField: { name: "deleted" } },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { db, viewer }) => deleteContact(db, viewer.workspaceId, String(id)),
  }),
}));
