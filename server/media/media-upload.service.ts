import { openAsBlob } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import type { Config } from "../config.ts";
import type { Database } from "../db/client.ts";
import { ExpectedError } from "../errors.ts";
import type { Outbox } from "../inbox/outbox.ts";
import { ensureConfigured, resolveRecipient, sendingNumbers, type SendTarget } from "../inbox/send.service.ts";
import type { NumberDirectory } from "../whatsapp-numbers/number-directory.ts";
import { CloudApiError } from "../whatsapp/errors.ts";
import { checkMedia, isAnimatedWebp, MEDIA_TYPES, type MediaCheck } from "./limits.ts";
import { keepSpooledFile, MediaTooLargeError, mediaRelativePath, saveUploadRecord, spoolUpload, type UploadRecord } from "./media-store.ts";

/** WhatsApp would refuse this file (type, size, empty): nothing was stored. `status` is the HTTP answer. */
export class MediaRefusedError extends ExpectedError {
  override name = "MediaRefusedError";
  readonly code = "MEDIA_REFUSED";
  // The client may still be sending the refused body: closing spares reading the rest of it.
  override readonly httpHeaders = { connection: "close" };
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
  }

  get httpStatus() {
    return this.status;
  }
}

/** Meta did not take the uploaded file; nothing was kept. */
export class MediaUploadFailedError extends ExpectedError {
  override name = "MediaUploadFailedError";
  readonly code = "MEDIA_UPLOAD_FAILED";
  readonly httpStatus = 502;
  constructor(readonly metaCode: number | null, title: string) {
    super(`WhatsApp did not take the file: ${title}`);
  }

  /** REST's `code` is Meta's, as on a failed send. */
  override answerFields() {
    return { code: this.metaCode };
  }
}

export interface UploadDependencies {
  db: Database;
  config: Config;
  outbox: Pick<Outbox, "sendsFrom">;
  /** A media id works only for the number that uploaded it: the file goes up through the number it will be sent from. */
  numbers: Pick<NumberDirectory, "cloudApiFor" | "sendableNumbersOf">;
}

export interface UploadInput {
  /** The file's type, from the request's Content-Type. */
  mimeType: string | undefined;
  /** The name the agent's file had; a plain one is made up when missing. */
  filename: string | undefined;
  /** Content-Length when the client sent one: a too-big file is refused before a byte is read. */
  declaredSize: number | null;
  body: Readable;
  /**
   * Whom the file will be sent to, as `sendWhatsAppMedia` will be told: it leaves from the
   * number that send chooses. Without a customer, from `fromPhoneNumberId`, else the workspace's first number.
   */
  recipient?: SendTarget;
}

/** The number a send to this recipient leaves from — the same choice `sendWhatsAppMedia` makes. */
async function uploadingNumber(deps: UploadDependencies, workspaceId: string, recipient: SendTarget = {}): Promise<string> {
  const numbers = await sendingNumbers(deps, workspaceId, recipient.fromPhoneNumberId);
  const hasCustomer = !!(recipient.contactId || recipient.phoneNumber || recipient.userId);
  const from = hasCustomer ? (await resolveRecipient(deps, workspaceId, recipient, numbers)).from : numbers.first;
  await ensureConfigured(deps, { from });
  return from;
}

/** A file name safe to show and to give Meta: no folders, no control characters, at most 200 characters. */
export function cleanFilename(name: string | undefined, fallback: string): string {
  // eslint-disable-next-line no-control-regex
  const base = path.basename((name ?? "").replace(/\\/g, "/")).replace(/[\u0000-\u001f\u007f"]/g, "").trim();
  return Array.from(base || fallback).slice(0, 200).join("");
}

function refuseUnless(check: MediaCheck): asserts check is Extract<MediaCheck, { ok: true }> {
  if (!check.ok) throw new MediaRefusedError(check.status, check.reason);
}

/**
 * An agent's attachment: checked against WhatsApp's types and limits (before reading it when
 * the size is declared, and while reading it otherwise), kept in the workspace's media folder
 * under its SHA-256, then uploaded to the Cloud API for a media id that `sendWhatsAppMedia`
 * sends. Refusals are {@link MediaRefusedError} and keep nothing; Meta's are {@link MediaUploadFailedError}.
 */
export async function uploadAttachment(deps: UploadDependencies, workspaceId: string, input: UploadInput): Promise<UploadRecord> {
  const phoneNumberId = await uploadingNumber(deps, workspaceId, input.recipient);
  const cloudApi = await deps.numbers.cloudApiFor(phoneNumberId);
  const declared = checkMedia(input.mimeType, input.declaredSize ?? 1);
  refuseUnless(declared);
  const { kind, mimeType } = declared;
  const type = MEDIA_TYPES[mimeType]!;
  let spooled;
  try {
    spooled = await spoolUpload(deps.config.MEDIA_DIR, workspaceId, input.body, type.maxBytes);
  } catch (error) {
    if (error instanceof MediaTooLargeError) refuseUnless(checkMedia(mimeType, type.maxBytes + 1));
    throw error;
  }
  try {
    // A static sticker may be 100 KB at most: only its bytes tell whether it is animated.
    const animated = kind === "sticker" ? isAnimatedWebp(spooled.head) : undefined;
    refuseUnless(checkMedia(mimeType, spooled.size, animated));
    const filename = cleanFilename(input.filename, `${kind}.${type.extension}`);
    const relative = mediaRelativePath(workspaceId, spooled.sha256, type.extension);
    // From disk to Meta as the request is sent: memory stays flat whatever the file's size.
    const file = await openAsBlob(spooled.temporary, { type: mimeType });
    const mediaId = await cloudApi.uploadMedia(file, filename).catch((error: unknown) => {
      throw error instanceof CloudApiError ? new MediaUploadFailedError(error.code, error.title) : error;
    });
    await keepSpooledFile(deps.config.MEDIA_DIR, spooled, relative);
    const record: UploadRecord = { mediaId, phoneNumberId, kind, mimeType, filename, size: spooled.size, sha256: spooled.sha256, path: relative, uploadedAt: new Date().toISOString() };
    await saveUploadRecord(deps.config.MEDIA_DIR, workspaceId, record);
    return record;
  } finally {
    await rm(spooled.temporary, { force: true });
  }
}
