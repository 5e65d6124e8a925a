import { builder } from "../graphql/builder.ts";
import type { ContactCard, FormField, InteractiveMessage, ListRow, ListSection, ReplyButton } from "../whatsapp/interactive.ts";
import type { OrderItem } from "../whatsapp/message-content.ts";
import type { AnswerContent } from "./message-content.ts";
import { FROM_PHONE_NUMBER_ID_DESCRIPTION, SEND_ERRORS, SendSuccess } from "./send.graphql.ts";
import { sendWhatsAppContacts, sendWhatsAppInteractive, sendWhatsAppLocation } from "./send-interactive.ts";

const JSONObject = "JSONObject" as const;

/** What the `interactive` column holds: what an agent sent, or what a customer answered. */
type Stored = InteractiveMessage | { kind: "contacts"; contacts: ContactCard[] } | AnswerContent;

function stored(json: string | null): Stored | null {
  if (!json) return null;
  try {
    return JSON.parse(json) as Stored;
  } catch {
    return null;
  }
}

// ── Output ─────────────────────────────────────────────────────────────────────────────────────

const InteractiveKindType = builder.enumType("InteractiveKind", {
  values: { BUTTONS: { value: "buttons" }, LIST: { value: "list" }, CTA_URL: { value: "ctaUrl" }, LOCATION_REQUEST: { value: "locationRequest" }, FLOW: { value: "flow" } } as const,
});
const FlowModeType = builder.enumType("FlowMode", {
  description: "navigate: the Flow opens on `screen` with `data`; data_exchange: your Flow endpoint answers the first screen.",
  values: { NAVIGATE: { value: "navigate" }, DATA_EXCHANGE: { value: "data_exchange" } } as const,
});

export const ReplyButtonType = builder.objectRef<ReplyButton>("ReplyButton").implement({
  fields: (t) => ({ id: t.exposeString("id"), title: t.exposeString("title") }),
});
const ListRowType = builder.objectRef<ListRow>("ListRow").implement({
  fields: (t) => ({ id: t.exposeString("id"), title: t.exposeString("title"), description: t.exposeString("description", { nullable: true }) }),
});
const ListSectionType = builder.objectRef<ListSection>("ListSection").implement({
  fields: (t) => ({ title: t.exposeString("title", { nullable: true }), rows: t.field({ type: [ListRowType], resolve: (section) => section.rows }) }),
});
type ListMessage = Extract<InteractiveMessage, { kind: "list" }>;
const InteractiveListType = builder.objectRef<ListMessage>("InteractiveList").implement({
  fields: (t) => ({ button: t.exposeString("button"), sections: t.field({ type: [ListSectionType], resolve: (list) => list.sections }) }),
});
type CtaMessage = Extract<InteractiveMessage, { kind: "ctaUrl" }>;
const CtaUrlType = builder.objectRef<CtaMessage>("CtaUrl").implement({
  fields: (t) => ({ displayText: t.exposeString("displayText"), url: t.exposeString("url") }),
});
type FlowMessage = Extract<InteractiveMessage, { kind: "flow" }>;
const FlowMessageType = builder.objectRef<FlowMessage>("FlowMessage").implement({
  fields: (t) => ({
    flowId: t.exposeString("flowId"),
    flowCta: t.exposeString("flowCta"),
    flowToken: t.exposeString("flowToken", { description: "The customer's submission carries it back: its answer is matched by it." }),
    mode: t.field({ type: FlowModeType, resolve: (flow) => flow.action }),
    screen: t.exposeString("screen", { nullable: true }),
    data: t.field({ type: JSONObject, nullable: true, resolve: (flow) => flow.data }),
  }),
});

const InteractiveMessageType = builder.objectRef<InteractiveMessage>("InteractiveMessage").implement({
  description: "What an interactive message offered, as sent: exactly one of buttons, list, ctaUrl and flow is set (none for a location request).",
  fields: (t) => ({
    kind: t.field({ type: InteractiveKindType, resolve: (message) => message.kind }),
    header: t.exposeString("header", { nullable: true }),
    body: t.exposeString("body"),
    footer: t.exposeString("footer", { nullable: true }),
    buttons: t.field({ type: [ReplyButtonType], nullable: true, resolve: (message) => (message.kind === "buttons" ? message.buttons : null) }),
    list: t.field({ type: InteractiveListType, nullable: true, resolve: (message) => (message.kind === "list" ? message : null) }),
    ctaUrl: t.field({ type: CtaUrlType, nullable: true, resolve: (message) => (message.kind === "ctaUrl" ? message : null) }),
    flow: t.field({ type: FlowMessageType, nullable: true, resolve: (message) => (message.kind === "flow" ? message : null) }),
  }),
});

const ContactCardType = builder.objectRef<ContactCard>("ContactCard").implement({
  fields: (t) => ({
    name: t.exposeString("name"),
    phones: t.exposeStringList("phones"),
    emails: t.exposeStringList("emails"),
    organization: t.exposeString("organization", { nullable: true }),
  }),
});

const AnswerKindType = builder.enumType("CustomerAnswerKind", {
  values: { CHOICE: { value: "choice" }, FORM: { value: "form" }, ADDRESS: { value: "address" }, ORDER: { value: "order" }, CALL_PERMISSION: { value: "callPermission" } } as const,
});
const FormFieldType = builder.objectRef<FormField>("FormField").implement({
  description: "One answered field of a Flow: its key as the Flow names it, a label and a value for people.",
  fields: (t) => ({ key: t.exposeString("key"), label: t.exposeString("label"), value: t.exposeString("value") }),
});
const OrderItemType = builder.objectRef<OrderItem>("OrderItem").implement({
  fields: (t) => ({
    productId: t.exposeString("productId", { description: "The catalogue's product_retailer_id." }),
    quantity: t.exposeInt("quantity"),
    itemPrice: t.exposeFloat("itemPrice", { nullable: true }),
    currency: t.exposeString("currency", { nullable: true }),
  }),
});

const CustomerAnswerType = builder.objectRef<AnswerContent>("CustomerAnswer").implement({
  description: "What a customer's structured answer holds. The message it answers is the message's `quoted`.",
  fields: (t) => ({
    kind: t.field({
      type: AnswerKindType,
      resolve: (answer) => (answer.kind === "formReply" ? (answer.address !== null ? "address" : "form") : answer.kind),
    }),
    id: t.string({ nullable: true, description: "The chosen button's or row's id.", resolve: (answer) => (answer.kind === "choice" ? answer.id : null) }),
    title: t.string({ nullable: true, description: "The chosen button's or row's title.", resolve: (answer) => (answer.kind === "choice" ? answer.title : null) }),
    description: t.string({ nullable: true, resolve: (answer) => (answer.kind === "choice" ? (answer.description ?? null) : null) }),
    formName: t.string({ nullable: true, description: "Meta's nfm_reply name: flow, address_message…", resolve: (answer) => (answer.kind === "formReply" ? answer.name : null) }),
    flowToken: t.string({ nullable: true, resolve: (answer) => (answer.kind === "formReply" ? answer.flowToken : null) }),
    responseJson: t.string({ nullable: true, description: "Meta's response_json, as received.", resolve: (answer) => (answer.kind === "formReply" ? answer.responseJson : null) }),
    fields: t.field({ type: [FormFieldType], nullable: true, resolve: (answer) => (answer.kind === "formReply" ? answer.fields : null) }),
    address: t.string({ nullable: true, description: "An address form's address, in one line.", resolve: (answer) => (answer.kind === "formReply" ? answer.address : null) }),
    orderItems: t.field({ type: [OrderItemType], nullable: true, resolve: (answer) => (answer.kind === "order" ? (answer.items ?? []) : null) }),
    orderTotal: t.float({ nullable: true, description: "Σ quantity × price, when every item has a price in one currency.", resolve: (answer) => (answer.kind === "order" ? (answer.total ?? null) : null) }),
    orderCurrency: t.string({ nullable: true, resolve: (answer) => (answer.kind === "order" ? (answer.currency ?? null) : null) }),
    callsAllowed: t.boolean({ nullable: true, resolve: (answer) => (answer.kind === "callPermission" ? answer.accepted : null) }),
    callsAllowedUntil: t.field({
      type: "DateTime",
      nullable: true,
      resolve: (answer) => (answer.kind === "callPermission" && answer.expiresAt ? new Date(answer.expiresAt) : null),
    }),
  }),
});

builder.prismaObjectFields("WhatsAppMessage", (t) => ({
  interactive: t.field({
    type: InteractiveMessageType,
    nullable: true,
    description: "An interactive message an agent sent: its buttons, list, link or Flow.",
    select: { interactive: true, direction: true },
    resolve: (message) => {
      const content = message.direction === "OUTBOUND" ? stored(message.interactive) : null;
      return content && "body" in content ? content : null;
    },
  }),
  contactCards: t.field({
    type: [ContactCardType],
    nullable: true,
    description: "The contact cards an agent sent.",
    select: { interactive: true },
    resolve: (message) => {
      const content = stored(message.interactive);
      return content?.kind === "contacts" ? content.contacts : null;
    },
  }),
  answer: t.field({
    type: CustomerAnswerType,
    nullable: true,
    description: "A customer's structured answer: the button or row chosen, a Flow's fields, an address, an order, a call permission.",
    select: { interactive: true, direction: true },
    resolve: (message) => {
      const content = message.direction === "INBOUND" ? stored(message.interactive) : null;
      return content && ["choice", "formReply", "order", "callPermission"].includes(content.kind) ? (content as AnswerContent) : null;
    },
  }),
}));

// ── Input ──────────────────────────────────────────────────────────────────────────────────────

export const ButtonInput = builder.inputType("InteractiveButtonInput", {
  fields: (t) => ({
    id: t.string({ required: true, description: "Comes back with the customer's tap; unique, up to 256 characters." }),
    title: t.string({ required: true, description: "Up to 20 characters, unique." }),
  }),
});
const ListRowInput = builder.inputType("InteractiveListRowInput", {
  fields: (t) => ({
    id: t.string({ required: true, description: "Up to 200 characters, unique in the list." }),
    title: t.string({ required: true, description: "Up to 24 characters." }),
    description: t.string({ description: "Up to 72 characters." }),
  }),
});
const ListSectionInput = builder.inputType("InteractiveListSectionInput", {
  fields: (t) => ({
    title: t.string({ description: "Up to 24 characters; required when there is more than one section." }),
    rows: t.field({ type: [ListRowInput], required: true }),
  }),
});
const ListInput = builder.inputType("InteractiveListInput", {
  fields: (t) => ({
    button: t.string({ required: true, description: "The button that opens the list: up to 20 characters." }),
    sections: t.field({ type: [ListSectionInput], required: true, description: "1 to 10 sections, 10 rows at most in all." }),
  }),
});
const CtaUrlInput = builder.inputType("CtaUrlInput", {
  fields: (t) => ({
    displayText: t.string({ required: true, description: "Up to 20 characters." }),
    url: t.string({ required: true, description: "An https:// address." }),
  }),
});
const FlowInput = builder.inputType("FlowMessageInput", {
  fields: (t) => ({
    flowId: t.string({ required: true, description: "A published Flow's id." }),
    flowCta: t.string({ required: true, description: "The button's text: up to 20 characters, no emoji." }),
    flowToken: t.string({ description: "Yours to recognise the submission by; generated when left out." }),
    mode: t.field({ type: FlowModeType, description: "Default NAVIGATE." }),
    screen: t.string({ description: "The first screen's id (NAVIGATE)." }),
    data: t.field({ type: JSONObject, description: "The first screen's input data (NAVIGATE), a non-empty object." }),
  }),
});

const target = {
  contactId: "A contact of the workspace; or give phoneNumber, or userId.",
  phoneNumber: "Any common format; national numbers are read in DEFAULT_COUNTRY.",
  userId: "A customer's business-scoped user ID, for customers whose number is hidden.",
};

const SendInteractiveInput = builder.inputType("SendWhatsAppInteractiveInput", {
  description: "Exactly one of buttons, list, ctaUrl, locationRequest and flow. Meta's limits are checked before anything is stored.",
  fields: (t) => ({
    contactId: t.id({ description: target.contactId }),
    phoneNumber: t.string({ description: target.phoneNumber }),
    userId: t.string({ description: target.userId }),
    header: t.string({ description: "Up to 60 characters; not for location requests." }),
    body: t.string({ required: true, description: "Up to 1024 characters (4096 for a list)." }),
    footer: t.string({ description: "Up to 60 characters; not for location requests." }),
    buttons: t.field({ type: [ButtonInput], description: "1 to 3 reply buttons." }),
    list: t.field({ type: ListInput }),
    ctaUrl: t.field({ type: CtaUrlInput, description: "One button that opens an https:// address." }),
    locationRequest: t.boolean({ description: "true: a “Send location” button." }),
    flow: t.field({ type: FlowInput }),
    replyToWamid: t.string({ description: "Quote this message (a reply)." }),
    fromPhoneNumberId: t.string({ description: FROM_PHONE_NUMBER_ID_DESCRIPTION }),
    idempotencyKey: t.string({ description: "Repeating a request with the same key never sends twice." }),
  }),
});

const SendLocationInput = builder.inputType("SendWhatsAppLocationInput", {
  fields: (t) => ({
    contactId: t.id({ description: target.contactId }),
    phoneNumber: t.string({ description: target.phoneNumber }),
    userId: t.string({ description: target.userId }),
    latitude: t.float({ required: true }),
    longitude: t.float({ required: true }),
    name: t.string({ description: "The place's name." }),
    address: t.string({ description: "The place's address." }),
    replyToWamid: t.string(),
    fromPhoneNumberId: t.string({ description: FROM_PHONE_NUMBER_ID_DESCRIPTION }),
    idempotencyKey: t.string(),
  }),
});

const ContactCardInput = builder.inputType("ContactCardInput", {
  fields: (t) => ({
    name: t.string({ required: true }),
    phones: t.stringList({ description: "Numbers as the customer should dial them, e.g. +91 98765 43210." }),
    emails: t.stringList(),
    organization: t.string(),
  }),
});

const SendContactsInput = builder.inputType("SendWhatsAppContactsInput", {
  fields: (t) => ({
    contactId: t.id({ description: target.contactId }),
    phoneNumber: t.string({ description: target.phoneNumber }),
    userId: t.string({ description: target.userId }),
    contacts: t.field({ type: [ContactCardInput], required: true, description: "Each with a name and a phone number or email." }),
    replyToWamid: t.string(),
    fromPhoneNumberId: t.string({ description: FROM_PHONE_NUMBER_ID_DESCRIPTION }),
    idempotencyKey: t.string(),
  }),
});

builder.mutationFields((t) => ({
  sendWhatsAppInteractive: t.field({
    type: SendSuccess,
    description: "Sends reply buttons, a list, a URL button, a location request or a Flow (inside the 24-hour window).",
    errors: { types: SEND_ERRORS, directResult: true },
    args: { input: t.arg({ type: SendInteractiveInput, required: true }) },
    resolve: (_root, { input }, context) =>
      sendWhatsAppInteractive(context, context.viewer, {
        ...input,
        contactId: input.contactId && String(input.contactId),
      }),
  }),
  sendWhatsAppLocation: t.field({
    type: SendSuccess,
    description: "Sends a pin on the map (inside the 24-hour window).",
    errors: { types: SEND_ERRORS, directResult: true },
    args: { input: t.arg({ type: SendLocationInput, required: true }) },
    resolve: (_root, { input }, context) => sendWhatsAppLocation(context, context.viewer, { ...input, contactId: input.contactId && String(input.contactId) }),
  }),
  sendWhatsAppContacts: t.field({
    type: SendSuccess,
    description: "Sends contact cards (inside the 24-hour window).",
    errors: { types: SEND_ERRORS, directResult: true },
    args: { input: t.arg({ type: SendContactsInput, required: true }) },
    resolve: (_root, { input }, context) => sendWhatsAppContacts(context, context.viewer, { ...input, contactId: input.contactId && String(input.contactId) }),
  }),
}));
