/**
 * The media WhatsApp takes, by type, with Meta's size limits ("Supported media types" of the
 * Cloud API reference). Pure data and checks, no imports: the upload route refuses with these
 * before storing anything, and the Vue composer (client/src) checks the same before uploading.
 */

export type AttachmentKind = "image" | "video" | "audio" | "document" | "sticker";

const KB = 1024;
const MB = 1024 * KB;

/** Images: JPEG and PNG only. @default 5 MB */
export const IMAGE_MAX_BYTES = 5 * MB;
/** Videos (H.264 + AAC) and audio. @default 16 MB */
export const VIDEO_MAX_BYTES = 16 * MB;
export const AUDIO_MAX_BYTES = 16 * MB;
/** @default 100 MB */
export const DOCUMENT_MAX_BYTES = 100 * MB;
/** Stickers are WebP: 500 KB when animated, 100 KB when static. */
export const ANIMATED_STICKER_MAX_BYTES = 500 * KB;
export const STATIC_STICKER_MAX_BYTES = 100 * KB;
/** The largest file any type allows: what the upload route reads at most. */
export const MEDIA_MAX_BYTES = DOCUMENT_MAX_BYTES;

interface MediaType {
  kind: AttachmentKind;
  maxBytes: number;
  /** The file extension we store it under. */
  extension: string;
}

/** Every media type Meta accepts for sending, keyed by MIME type without parameters. */
export const MEDIA_TYPES: Readonly<Record<string, MediaType>> = {
  "image/jpeg": { kind: "image", maxBytes: IMAGE_MAX_BYTES, extension: "jpg" },
  "image/png": { kind: "image", maxBytes: IMAGE_MAX_BYTES, extension: "png" },
  "image/webp": { kind: "sticker", maxBytes: ANIMATED_STICKER_MAX_BYTES, extension: "webp" },
  "video/mp4": { kind: "video", maxBytes: VIDEO_MAX_BYTES, extension: "mp4" },
  "video/3gpp": { kind: "video", maxBytes: VIDEO_MAX_BYTES, extension: "3gp" },
  "audio/aac": { kind: "audio", maxBytes: AUDIO_MAX_BYTES, extension: "aac" },
  "audio/amr": { kind: "audio", maxBytes: AUDIO_MAX_BYTES, extension: "amr" },
  "audio/mpeg": { kind: "audio", maxBytes: AUDIO_MAX_BYTES, extension: "mp3" },
  "audio/mp4": { kind: "audio", maxBytes: AUDIO_MAX_BYTES, extension: "m4a" },
  "audio/ogg": { kind: "audio", maxBytes: AUDIO_MAX_BYTES, extension: "ogg" },
  "text/plain": { kind: "document", maxBytes: DOCUMENT_MAX_BYTES, extension: "txt" },
  "application/pdf": { kind: "document", maxBytes: DOCUMENT_MAX_BYTES, extension: "pdf" },
  "application/msword": { kind: "document", maxBytes: DOCUMENT_MAX_BYTES, extension: "doc" },
  "application/vnd.ms-excel": { kind: "document", maxBytes: DOCUMENT_MAX_BYTES, extension: "xls" },
  "application/vnd.ms-powerpoint": { kind: "document", maxBytes: DOCUMENT_MAX_BYTES, extension: "ppt" },
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": { kind: "document", maxBytes: DOCUMENT_MAX_BYTES, extension: "docx" },
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": { kind: "document", maxBytes: DOCUMENT_MAX_BYTES, extension: "xlsx" },
  "application/vnd.openxmlformats-officedocument.presentationml.presentation": { kind: "document", maxBytes: DOCUMENT_MAX_BYTES, extension: "pptx" },
};

/** What the file picker offers: every type above. */
export const ACCEPTED_MEDIA_TYPES = Object.keys(MEDIA_TYPES).join(",");

/** Names browsers and systems give some of these types, and the one Meta expects. */
const MIME_ALIASES: Readonly<Record<string, string>> = {
  "image/jpg": "image/jpeg",
  "image/pjpeg": "image/jpeg",
  "video/3gp": "video/3gpp",
  "audio/mp3": "audio/mpeg",
  "audio/x-m4a": "audio/mp4",
  "audio/x-aac": "audio/aac",
  "audio/opus": "audio/ogg",
};

/** "image/png; charset=x" → "image/png", "audio/x-m4a" → "audio/mp4"; "" when there is none. */
export function baseMimeType(mimeType: string | null | undefined): string {
  const base = (mimeType ?? "").split(";")[0]!.trim().toLowerCase();
  return MIME_ALIASES[base] ?? base;
}

/** An extension for a received file's MIME type (Meta sends types we never send, e.g. image/gif). */
export function extensionFor(mimeType: string | null | undefined): string {
  const base = baseMimeType(mimeType);
  return MEDIA_TYPES[base]?.extension ?? (/^[a-z]+\/([a-z0-9]{1,8})$/.exec(base)?.[1] ?? "bin");
}

export function formatBytes(bytes: number): string {
  if (bytes < KB) return `${bytes} B`;
  if (bytes < MB) return `${Math.round(bytes / KB)} KB`;
  return `${(bytes / MB).toFixed(bytes < 10 * MB ? 1 : 0).replace(/\.0$/, "")} MB`;
}

export type MediaCheck = { ok: true; kind: AttachmentKind; mimeType: string } | { ok: false; reason: string; status: 400 | 413 | 415 };

/**
 * Whether WhatsApp takes a file of this type and size, and as what. `animated` tells a WebP
 * sticker's limit (500 KB animated, 100 KB static); unknown (the browser cannot tell), the
 * larger one applies and the server checks again with the bytes.
 */
export function checkMedia(mimeType: string | null | undefined, size: number, animated?: boolean): MediaCheck {
  const base = baseMimeType(mimeType);
  const type = MEDIA_TYPES[base];
  if (!type) {
    return {
      ok: false,
      status: 415,
      reason: `WhatsApp cannot send ${base ? `${base} files` : "files of an unknown type"}: send JPEG or PNG images, MP4 or 3GP videos, AAC, AMR, MP3, M4A or OGG audio, PDF, Word, Excel, PowerPoint or text documents, or WebP stickers`,
    };
  }
  const maxBytes = type.kind === "sticker" && animated === false ? STATIC_STICKER_MAX_BYTES : type.maxBytes;
  if (size > maxBytes) {
    const what = type.kind === "sticker" ? `${animated === false ? "static " : ""}sticker` : type.kind;
    return { ok: false, status: 413, reason: `This ${what} is ${formatBytes(size)}: WhatsApp takes at most ${formatBytes(maxBytes)}` };
  }
  if (size === 0) return { ok: false, status: 400, reason: "The file is empty" };
  return { ok: true, kind: type.kind, mimeType: base };
}

/** Whether WebP bytes are an animation (the VP8X header's animation flag). */
export function isAnimatedWebp(bytes: Uint8Array): boolean {
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  return bytes.length > 20 && ascii(0, 4) === "RIFF" && ascii(8, 16) === "WEBPVP8X" && (bytes[20]! & 0x02) !== 0;
}
