import { existsSync, mkdirSync, readdirSync, renameSync } from "node:fs";
import path from "node:path";
import { DEFAULT_MEDIA_DIR } from "../config.ts";
import type { Logger } from "../logger.ts";

/** The default before: beside the code. */
export const OLD_DEFAULT_MEDIA_DIR = "media";

/** Files that only kept the old folder in git. */
const PLACEHOLDERS = new Set([".gitkeep"]);

/**
 * An installation that kept the old default has its media in `media/`. When the media folder in
 * use is the new default and does not exist yet, the old folder is renamed to it at start-up —
 * one rename on the same disk, nothing copied, nothing left behind; the database keeps paths
 * relative to the folder, so every file is found where it was. When both hold files, nothing
 * moves and the log names both. Answers what it did.
 */
export function adoptOldMediaFolder(
  dir: string,
  logger: Logger,
  defaults = { current: DEFAULT_MEDIA_DIR, old: OLD_DEFAULT_MEDIA_DIR },
): "moved" | "both" | "nothing" {
  const target = path.resolve(dir);
  const old = path.resolve(defaults.old);
  if (target !== path.resolve(defaults.current) || !holdsFiles(old)) return "nothing";
  if (existsSync(target)) {
    logger.warn(`Media files are in ${old} (the old default MEDIA_DIR) and in ${target} (the one in use): move the old ones into it, or set MEDIA_DIR=${defaults.old}`);
    return "both";
  }
  mkdirSync(path.dirname(target), { recursive: true });
  renameSync(old, target);
  logger.info(`Moved the media folder from ${old} to ${target}, MEDIA_DIR's new default`);
  return "moved";
}

function holdsFiles(dir: string) {
  if (!existsSync(dir)) return false;
  return readdirSync(dir).some((name) => !PLACEHOLDERS.has(name));
}
