/** The simulator's message templates, as `GET /{waba-id}/message_templates` lists them. */
import type { MessageTemplate } from "../whatsapp/cloud-api.ts";

/** Approved ones to send (none, one and two body parameters; one in two languages), and two that are not. */
export const DEFAULT_TEMPLATES: readonly MessageTemplate[] = [
  {
    id: "1000000000000001",
    name: "hello_world",
    language: "en_US",
    status: "APPROVED",
    category: "UTILITY",
    components: [
      { type: "HEADER", format: "TEXT", text: "Hello World" },
      { type: "BODY", text: "Welcome and congratulations!! This message demonstrates your ability to send a WhatsApp message notification from the Cloud API." },
      { type: "FOOTER", text: "WhatsApp Business Platform sample message" },
    ],
  },
  {
    id: "1000000000000002",
    name: "order_update",
    language: "en",
    status: "APPROVED",
    category: "UTILITY",
    components: [{ type: "BODY", text: "Hi {{1}}, your order {{2}} has shipped." }],
  },
  {
    id: "1000000000000003",
    name: "appointment_reminder",
    language: "en",
    status: "APPROVED",
    category: "UTILITY",
    components: [{ type: "BODY", text: "Hello {{1}}, this is a reminder of your appointment on {{2}}." }],
  },
  {
    id: "1000000000000004",
    name: "appointment_reminder",
    language: "hi",
    status: "APPROVED",
    category: "UTILITY",
    components: [{ type: "BODY", text: "नमस्ते {{1}}, {{2}} को आपकी अपॉइंटमेंट की याद दिला रहे हैं।" }],
  },
  {
    id: "1000000000000005",
    name: "diwali_offer",
    language: "en",
    status: "PENDING",
    category: "MARKETING",
    components: [{ type: "BODY", text: "Happy Diwali {{1}}! Enjoy {{2}} off this week." }],
  },
  {
    id: "1000000000000006",
    name: "loan_offer",
    language: "en",
    status: "REJECTED",
    category: "MARKETING",
    components: [{ type: "BODY", text: "Get an instant loan of {{1}} today!" }],
  },
];

/** How many distinct `{{n}}` placeholders the template's body has: the parameters a send must give. */
export function bodyPlaceholderCount(template: MessageTemplate): number {
  const body = template.components.find((component) => component.type === "BODY")?.text ?? "";
  return new Set(Array.from(body.matchAll(/\{\{\s*(\d+)\s*\}\}/g), (match) => Number(match[1]))).size;
}
