import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../config.ts";
import { DEFAULT_MEDIA_DIR } from "../config.ts";
import { adoptOldMediaFolder } from "./media-folder.ts";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A project folder whose old `media/` holds a customer's photo, and a logger whose lines the test reads. */
function installation() {
  const root = mkdtempSync(path.join(tmpdir(), "bharat-media-folder-"));
  dirs.push(root);
  const defaults = { current: path.join(root, "data", "media"), old: path.join(root, "media") };
  mkdirSync(path.join(defaults.old, "workspace-1"), { recursive: true });
  writeFileSync(path.join(defaults.old, "workspace-1", "photo.jpg"), "jpeg bytes");
  const lines: string[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => lines.push(JSON.parse(line).msg) });
  return { defaults, lines, logger };
}

describe("the media folder's new default", () => {
  it("is data/media, beside the database", () => {
    expect(DEFAULT_MEDIA_DIR).toBe("data/media");
    expect(loadConfig({}).MEDIA_DIR).toBe("data/media");
  });

  it("takes over an old media folder's files at start-up, every file where the database expects it", () => {
    const { defaults, lines, logger } = installation();
    expect(adoptOldMediaFolder(defaults.current, logger, defaults)).toBe("moved");
    expect(readFileSync(path.join(defaults.current, "workspace-1", "photo.jpg"), "utf8")).toBe("jpeg bytes");
    expect(existsSync(defaults.old)).toBe(false);
    expect(lines.join("\n")).toContain("Moved the media folder");
  });

  it("moves nothing when both folders exist, and says so", () => {
    const { defaults, lines, logger } = installation();
    mkdirSync(defaults.current, { recursive: true });
    expect(adoptOldMediaFolder(defaults.current, logger, defaults)).toBe("both");
    expect(readFileSync(path.join(defaults.old, "workspace-1", "photo.jpg"), "utf8")).toBe("jpeg bytes");
    expect(lines.join("\n")).toContain("the old default MEDIA_DIR");
  });

  it("leaves a MEDIA_DIR set elsewhere alone", () => {
    const { defaults, logger } = installation();
    const elsewhere = path.join(path.dirname(defaults.old), "volume");
    expect(adoptOldMediaFolder(elsewhere, logger, defaults)).toBe("nothing");
    expect(existsSync(path.join(defaults.old, "workspace-1", "photo.jpg"))).toBe(true);
    expect(existsSync(elsewhere)).toBe(false);
  });
});
