import urql from "@urql/vue";
import { flushPromises, mount } from "@vue/test-utils";
import { afterEach, describe, expect, it, vi } from "vitest";
import { chatMessage } from "../../testing/fixtures.ts";
import { fakeGraphQLServer } from "../../testing/harness.ts";
import { createTestRouter } from "../../testing/harness.ts";
import ComposerAttachment from "./ComposerAttachment.vue";
import InboxComposer from "./InboxComposer.vue";
import MessageMedia from "./MessageMedia.vue";

const MB = 1024 * 1024;

/** An XMLHttpRequest the test drives: upload progress, then the server's answer. */
class FakeUpload {
  static last: FakeUpload | null = null;
  url = "";
  headers: Record<string, string> = {};
  body: unknown = null;
  status = 0;
  response: unknown = null;
  responseType = "";
  upload: { onprogress: ((event: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  constructor() {
    FakeUpload.last = this;
  }
  open(_method: string, url: string) {
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  send(body: unknown) {
    this.body = body;
  }
  abort() {
    this.onabort?.();
  }
  progress(loaded: number, total: number) {
    this.upload.onprogress?.({ lengthComputable: true, loaded, total });
  }
  answer(status: number, response: unknown) {
    this.status = status;
    this.response = response;
    this.onload?.();
  }
}

afterEach(() => {
  vi.unstubAllGlobals();
  FakeUpload.last = null;
});

function attach(file: File) {
  vi.stubGlobal("XMLHttpRequest", FakeUpload);
  const server = fakeGraphQLServer(() => ({
    sendWhatsAppMedia: {
      __typename: "SendWhatsAppSuccess",
      messageId: "wamid.SENT",
      message: "Message sent successfully",
      queued: false,
      recipient: "Priya",
      phone: "+919876543210",
      whatsAppMessage: chatMessage({ id: "m-photo", direction: "OUTBOUND", type: "image", text: "Blue, size M" }),
    },
  }));
  const wrapper = mount(ComposerAttachment, {
    props: { file, recipient: { phoneNumber: "+919876543210" } },
    attachTo: document.body,
    global: { plugins: [[urql, server.client]] },
  });
  return { wrapper, server };
}

describe("ComposerAttachment", () => {
  it("refuses a photo over WhatsApp's 5 MB before uploading anything", () => {
    const { wrapper } = attach(new File([new Uint8Array(6 * MB)], "holiday.png", { type: "image/png" }));
    expect(wrapper.get("[role=alert]").text()).toBe("This image is 6 MB: WhatsApp takes at most 5 MB");
    expect(wrapper.find("button.button--primary").exists()).toBe(false);
    expect(FakeUpload.last).toBeNull();
  });

  it("refuses a file type WhatsApp cannot send, and says which it can", () => {
    const { wrapper } = attach(new File(["PK"], "photos.zip", { type: "application/zip" }));
    expect(wrapper.get("[role=alert]").text()).toMatch(/^WhatsApp cannot send application\/zip files: send JPEG or PNG images/);
    expect(wrapper.find("button.button--primary").exists()).toBe(false);
  });

  it("takes a 20 MB PDF: documents may be up to 100 MB, unlike photos and videos", () => {
    const { wrapper } = attach(new File([new Uint8Array(20 * MB)], "catalogue.pdf", { type: "application/pdf" }));
    expect(wrapper.find("[role=alert]").exists()).toBe(false);
    expect(wrapper.get("button.button--primary").text()).toBe("Send document");
    expect(wrapper.text()).toContain("20 MB");
  });

  it("uploads with a progress bar, for the recipient it will be sent to, then sends the media id with the caption", async () => {
    const { wrapper, server } = attach(new File([new Uint8Array(2048)], "shirt.png", { type: "image/png" }));
    expect(wrapper.get("img").attributes("alt")).toBe("Preview of shirt.png");
    await wrapper.get("input[type=text]").setValue("Blue, size M");
    await wrapper.get("button.button--primary").trigger("click");

    const upload = FakeUpload.last!;
    // The recipient goes with the file: the server uploads it from the number the send leaves from.
    expect(upload.url).toBe("/api/media/uploads?filename=shirt.png&phoneNumber=%2B919876543210");
    expect(upload.headers["content-type"]).toBe("image/png");
    upload.progress(1024, 2048);
    await flushPromises();
    expect(wrapper.get("progress").attributes("aria-valuetext")).toBe("50%");
    expect(wrapper.text()).toContain("Uploading… 50%");

    upload.answer(201, { success: true, mediaId: "1234567890", kind: "image" });
    await flushPromises();
    expect(server.requests.map((request) => [request.operationName, request.variables.input])).toEqual([
      ["SendWhatsAppMedia", expect.objectContaining({ phoneNumber: "+919876543210", mediaId: "1234567890", caption: "Blue, size M" })],
    ]);
    expect(wrapper.emitted("sent")?.[0]?.[0]).toMatchObject({ id: "m-photo", type: "image" });
  });

  it("says why the server refused the upload, and offers to try again", async () => {
    const { wrapper } = attach(new File([new Uint8Array(10)], "note.mp3", { type: "audio/mpeg" }));
    expect(wrapper.find("input[type=text]").exists()).toBe(false);
    await wrapper.get("button.button--primary").trigger("click");
    FakeUpload.last!.answer(503, { success: false, error: "WhatsApp is not configured" });
    await flushPromises();
    expect(wrapper.get("[role=alert]").text()).toBe("WhatsApp is not configured");
    expect(wrapper.get("button.button--primary").text()).toBe("Try again");
  });
});

describe("MessageMedia", () => {
  const show = (overrides: Parameters<typeof chatMessage>[0], label = "Photo") =>
    mount(MessageMedia, { props: { message: chatMessage(overrides), icon: "📷", label } });

  it("shows a placeholder while the photo is downloaded, then the photo itself, opening full size", () => {
    const media = { state: "PENDING" as const, url: null, mimeType: "image/png", filename: null, size: null };
    expect(show({ type: "image", media }).get("[role=status]").text()).toMatch(/Photo · Downloading…$/);
    const stored = show({ type: "image", media: { ...media, state: "STORED", url: "/api/media/m1", size: 68 } });
    expect(stored.get("a").attributes("href")).toBe("/api/media/m1");
    expect(stored.get("img").attributes("src")).toBe("/api/media/m1");
  });

  it("plays audio and video, offers documents as downloads with name and size, and explains expired media", () => {
    const stored = (mimeType: string, filename: string | null = null) => ({ state: "STORED" as const, url: "/api/media/m1", mimeType, filename, size: 2 * MB });
    expect(show({ type: "audio", media: stored("audio/ogg") }, "Voice message").get("audio").attributes("controls")).toBeDefined();
    expect(show({ type: "video", media: stored("video/mp4") }, "Video").get("video").attributes("controls")).toBeDefined();
    const document = show({ type: "document", media: stored("application/pdf", "invoice.pdf") }, "invoice.pdf");
    expect(document.get("a").attributes("download")).toBe("invoice.pdf");
    expect(document.text()).toContain("2 MB · Download");
    const expired = show({ type: "image", media: { state: "EXPIRED", url: null, mimeType: "image/png", filename: null, size: null } });
    expect(expired.text()).toContain("This photo has expired on WhatsApp and can no longer be downloaded.");
  });
});

describe("InboxComposer attachments", () => {
  function composer() {
    const { client } = fakeGraphQLServer(() => ({ cannedResponses: [] }));
    return mount(InboxComposer, {
      props: { recipient: { phoneNumber: "+919876543210" } },
      attachTo: document.body,
      global: { plugins: [[urql, client], createTestRouter()] },
    });
  }

  it("opens the preview for a file picked with the paperclip, and for an image pasted into the message", async () => {
    const wrapper = composer();
    expect(wrapper.find("button[aria-label='Attach a file']").exists()).toBe(true);
    const input = wrapper.get("input[type=file]");
    expect(input.attributes("accept")).toContain("image/png");
    Object.defineProperty(input.element, "files", { value: [new File(["%PDF"], "invoice.pdf", { type: "application/pdf" })], configurable: true });
    await input.trigger("change");
    expect(wrapper.get("section").attributes("aria-label")).toBe("Attachment: invoice.pdf");
    await wrapper.get("section button.button").trigger("click");
    expect(wrapper.find("section").exists()).toBe(false);

    const paste = new Event("paste", { cancelable: true }) as ClipboardEvent;
    Object.defineProperty(paste, "clipboardData", { value: { files: [new File([new Uint8Array(4)], "screenshot.png", { type: "image/png" })] } });
    wrapper.get("textarea").element.dispatchEvent(paste);
    await flushPromises();
    expect(paste.defaultPrevented).toBe(true);
    expect(wrapper.get("section").attributes("aria-label")).toBe("Attachment: screenshot.png");
  });

  it("offers no attachments without a recipient to send them to", () => {
    const { client } = fakeGraphQLServer(() => ({ cannedResponses: [] }));
    const wrapper = mount(InboxComposer, { global: { plugins: [[urql, client], createTestRouter()] } });
    expect(wrapper.find("button[aria-label='Attach a file']").exists()).toBe(false);
  });
});
