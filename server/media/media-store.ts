import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { AttachmentKind } from "./limits.ts";

/**
 * Media files on disk: `{MEDIA_DIR}/{workspaceId}/{name}.{ext}`, one folder per workspace.
 * Every name is built from checked ids and hashes, never from a path taken from input, and every
 * file is written whole to a temporary name and renamed, so a reader never sees half a file.
 * The database keeps the path relative to MEDIA_DIR (`mediaPath`).
 */

const SAFE_SEGMENT = /^[A-Za-z0-9_-]{1,128}$/;
const SAFE_EXTENSION = /^[a-z0-9]{1,8}$/;

/** `{workspaceId}/{name}.{ext}` — refuses anything that is not a plain id. */
export function mediaRelativePath(workspaceId: string, name: string, extension: string): string {
  if (!SAFE_SEGMENT.test(workspaceId) || !SAFE_SEGMENT.test(name) || !SAFE_EXTENSION.test(extension)) {
    throw new Error(`Refusing a media path for ${JSON.stringify([workspaceId, name, extension])}`);
  }
  return `${workspaceId}/${name}.${extension}`;
}

/** The absolute path of a stored relative path, which must stay inside the media folder. */
export function mediaAbsolutePath(dir: string, relative: string): string {
  const root = path.resolve(dir);
  const absolute = path.resolve(root, relative);
  if (!absolute.startsWith(`${root}${path.sep}`)) throw new Error(`Refusing a media path outside ${root}`);
  return absolute;
}

function temporaryPath(absolute: string) {
  return `${absolute}.${randomBytes(6).toString("hex")}.tmp`;
}

/** Writes the bytes atomically (temporary file + rename). */
export async function writeMediaFile(dir: string, relative: string, bytes: Uint8Array): Promise<void> {
  const absolute = mediaAbsolutePath(dir, relative);
  await mkdir(path.dirname(absolute), { recursive: true });
  const temporary = temporaryPath(absolute);
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, absolute);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

export class MediaTooLargeError extends Error {}

/** How much of the start of an upload is kept in memory for the checks that read its bytes (a WebP's header). */
export const UPLOAD_HEAD_BYTES = 32;

export interface SpooledFile {
  /** Absolute path of the temporary file; {@link keepSpooledFile} or remove it. */
  temporary: string;
  size: number;
  sha256: string;
  /** The first {@link UPLOAD_HEAD_BYTES} bytes (fewer for a smaller file). */
  head: Buffer;
}

/**
 * Streams an upload into a temporary file of the workspace's folder, hashing it and keeping its
 * first bytes on the way, and stopping with {@link MediaTooLargeError} as soon as it passes
 * `maxBytes`: no file is ever held in memory, and a too-big one is not kept on disk.
 */
export async function spoolUpload(dir: string, workspaceId: string, source: Readable, maxBytes: number): Promise<SpooledFile> {
  const folder = path.dirname(mediaAbsolutePath(dir, mediaRelativePath(workspaceId, "upload", "tmp")));
  await mkdir(folder, { recursive: true });
  const temporary = temporaryPath(path.join(folder, "upload"));
  const hash = createHash("sha256");
  const head: Buffer[] = [];
  let size = 0;
  try {
    await pipeline(
      source,
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          size += chunk.length;
          if (size > maxBytes) throw new MediaTooLargeError(`The file is larger than ${maxBytes} bytes`);
          if (size - chunk.length < UPLOAD_HEAD_BYTES) head.push(chunk.subarray(0, UPLOAD_HEAD_BYTES - (size - chunk.length)));
          hash.update(chunk);
          yield chunk;
        }
      },
      createWriteStream(temporary),
    );
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  // Copied: a slice would keep its whole first chunk alive.
  return { temporary, size, sha256: hash.digest("hex"), head: Buffer.from(Buffer.concat(head)) };
}

/** Moves a spooled upload to its final relative path (atomic: a rename). */
export async function keepSpooledFile(dir: string, spooled: SpooledFile, relative: string): Promise<void> {
  await rename(spooled.temporary, mediaAbsolutePath(dir, relative));
}

/** What an agent uploaded, remembered under Meta's media id until a message sends it. */
export interface UploadRecord {
  mediaId: string;
  /** The number that uploaded it, the only one its media id can be sent from (absent in records kept before numbers were data). */
  phoneNumberId?: string;
  kind: AttachmentKind;
  mimeType: string;
  filename: string;
  size: number;
  sha256: string;
  /** Relative to MEDIA_DIR. */
  path: string;
  uploadedAt: string;
}

/**
 * Uploads are recorded as small JSON files beside the bytes, in the uploader's workspace
 * folder: another workspace looking up the same media id finds nothing, and a shared MEDIA_DIR
 * makes the record visible to every instance.
 */
export async function saveUploadRecord(dir: string, workspaceId: string, record: UploadRecord): Promise<void> {
  const relative = mediaRelativePath(workspaceId, `upload-${record.mediaId}`, "json");
  await writeMediaFile(dir, relative, Buffer.from(JSON.stringify(record)));
}

export async function findUploadRecord(dir: string, workspaceId: string, mediaId: string): Promise<UploadRecord | null> {
  if (!SAFE_SEGMENT.test(mediaId)) return null;
  try {
    const text = await readFile(mediaAbsolutePath(dir, mediaRelativePath(workspaceId, `upload-${mediaId}`, "json")), "utf8");
    return JSON.parse(text) as UploadRecord;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}
