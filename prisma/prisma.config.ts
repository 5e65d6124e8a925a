// Prisma CLI configuration: the WebAssembly schema engine through the libsql driver adapter,
// because the native engine cannot be downloaded on our machines (see ../shared/STACK.md).
import path from "node:path";
import { PrismaLibSQL } from "@prisma/adapter-libsql";
import { defineConfig } from "prisma/config";

const url = process.env.DATABASE_URL ?? "file:./data/bharat.db";

/**
 * The CLI replays each migration.sql into the shadow database as one argument-less
 * executeRaw, of which libsql runs only the first statement: run such scripts whole.
 */
class PrismaLibSQLWithScripts extends PrismaLibSQL {
  override async connectToShadowDb() {
    const shadow = await super.connectToShadowDb();
    const executeRaw = shadow.executeRaw.bind(shadow);
    shadow.executeRaw = async (query) => {
      if (query.args.length > 0) return executeRaw(query);
      await shadow.executeScript(query.sql);
      return 0;
    };
    return shadow;
  }
}

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join(import.meta.dirname, "schema.prisma"),
  async adapter() {
    return new PrismaLibSQLWithScripts({ url });
  },
});
