import { useClientHandle } from "@urql/vue";
import { computed, ref, shallowRef } from "vue";
import { baseMimeType, checkMedia, formatBytes, type AttachmentKind } from "../../../server/media/limits.ts";
import { SendWhatsAppMediaMutation } from "../graphql/media.ts";
import { useSession } from "./useSession.ts";
import { newIdempotencyKey, toSendOutcome, type SendOutcome, type SendRecipient } from "./useWhatsAppSend.ts";

export { checkMedia, formatBytes };

/** What POST /api/media/uploads answers for a file it kept and handed to WhatsApp. */
interface Uploaded {
  mediaId: string;
  kind: AttachmentKind;
}

export type AttachmentPhase = "ready" | "uploading" | "sending" | "failed";

/** "photo", "video", "voice note"…: how the composer names a file of this kind. */
export const KIND_NAMES: Record<AttachmentKind, string> = { image: "photo", video: "video", audio: "audio file", document: "document", sticker: "sticker" };

const UNREACHABLE = "Could not reach the server. Check your connection and try again.";

/**
 * Sends the file to the server with XMLHttpRequest — fetch cannot report upload progress —
 * reporting each step's fraction; resolves with the media id, or rejects with the server's reason.
 */
export function uploadWithProgress(file: File, csrfToken: string | null, onProgress: (fraction: number) => void, recipient?: SendRecipient) {
  const request = new XMLHttpRequest();
  // The recipient as the send will name it: the server uploads from the number the send leaves from.
  const query = new URLSearchParams({ filename: file.name });
  for (const [name, value] of Object.entries(recipient ?? {})) if (typeof value === "string" && value) query.set(name, value);
  const done = new Promise<Uploaded>((resolve, reject) => {
    request.open("POST", `/api/media/uploads?${query}`);
    request.setRequestHeader("content-type", baseMimeType(file.type));
    if (csrfToken) request.setRequestHeader("x-csrf-token", csrfToken);
    request.responseType = "json";
    request.upload.onprogress = (event) => event.lengthComputable && onProgress(event.loaded / event.total);
    request.onload = () => {
      const body = request.response as { success?: boolean; error?: string } & Partial<Uploaded>;
      if (request.status === 201 && body?.mediaId) resolve({ mediaId: body.mediaId, kind: body.kind! });
      else reject(new Error(body?.error ?? `The upload failed (HTTP ${request.status})`));
    };
    request.onerror = () => reject(new Error(UNREACHABLE));
    request.onabort = () => reject(new Error("The upload was cancelled"));
    request.send(file);
  });
  return { done, abort: () => request.abort() };
}

/**
 * One attachment in the composer: checked against WhatsApp's types and limits at once (a file
 * WhatsApp would refuse never leaves the browser), then uploaded with a progress bar and sent
 * with its caption through `sendWhatsAppMedia`.
 */
export function useMediaUpload(file: File, recipient: () => SendRecipient) {
  const { client } = useClientHandle();
  const session = useSession();
  const check = checkMedia(file.type, file.size);
  const phase = ref<AttachmentPhase>(check.ok ? "ready" : "failed");
  const reason = ref<string | null>(check.ok ? null : check.reason);
  const progress = ref(0);
  const kind = check.ok ? check.kind : null;
  const key = newIdempotencyKey();
  let uploaded: Uploaded | null = null;
  const abort = shallowRef<(() => void) | null>(null);

  async function send(caption: string): Promise<SendOutcome | null> {
    if (!check.ok || phase.value === "uploading" || phase.value === "sending") return null;
    reason.value = null;
    try {
      if (!uploaded) {
        phase.value = "uploading";
        progress.value = 0;
        const upload = uploadWithProgress(file, session.csrfToken.value, (fraction) => (progress.value = fraction), recipient());
        abort.value = upload.abort;
        uploaded = await upload.done;
        progress.value = 1;
      }
      phase.value = "sending";
      const input = { ...recipient(), mediaId: uploaded.mediaId, caption: caption.trim() || null, idempotencyKey: key };
      const result = await client.mutation(SendWhatsAppMediaMutation, { input }).toPromise();
      const outcome = toSendOutcome(result.data?.sendWhatsAppMedia, result.error);
      if (outcome.kind !== "sent") {
        phase.value = "failed";
        reason.value = outcome.reason;
      }
      return outcome;
    } catch (error) {
      phase.value = "failed";
      reason.value = (error as Error).message;
      return null;
    } finally {
      abort.value = null;
    }
  }

  return {
    kind,
    phase,
    reason,
    progress,
    /** Whether the file can be sent at all (type and size); when not, `reason` says why. */
    acceptable: check.ok,
    busy: computed(() => phase.value === "uploading" || phase.value === "sending"),
    send,
    cancel: () => abort.value?.(),
  };
}
