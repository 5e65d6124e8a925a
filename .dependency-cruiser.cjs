// The import rules of server/: folders point one way. `npm run lint:imports` checks them and
// `npm test` (so CI) runs it first. A new folder goes into LAYERS; an import the rules refuse is
// a design question (which way should these two depend?), not a rule to relax.

/**
 * Bottom to top. A unit may import its own files and any unit of a lower layer; never a unit of
 * its own layer or above. Every import counts, `import type` too: a type names the module it
 * depends on as much as a value does. Units are folders, except where a folder has two jobs:
 * - graphql/: the builder (plugins, scalars, the context type and the shared error types) sits
 *   below every domain, since each domain's `*.graphql.ts` defines its types on it; the schema
 *   index and the Yoga server import every domain, so they sit at the top with app.ts.
 * - the root files: config/logger/errors/step-timing are the kernel; app-services.ts (the service bag app.ts
 *   builds) and graphql/context.ts name the services' types, so their imports are exempt below,
 *   and they may only import types.
 */
const LAYERS = [
  // Meta's language (imports nothing of ours), Prisma's generated client, the kernel.
  { whatsapp: "^server/whatsapp/", generated: "^server/generated/", kernel: "^server/(logger|errors|step-timing)\\.ts$" },
  { config: "^server/config\\.ts$", db: "^server/db/", simulator: "^server/simulator/" },
  // Secrets sealed at rest (the numbers' access tokens): the key from SECRETS_KEY or the database's folder.
  { secrets: "^server/secrets/" },
  // HTTP helpers every REST door shares: the error answers, input hardening, health, the client.
  { http: "^server/http/" },
  { "graphql-builder": "^server/graphql/(builder|context|errors\\.graphql|limits)\\.ts$", "app-services": "^server/app-services\\.ts$" },
  // The one event vocabulary and pub/sub: auth/ publishes revocations on it, every domain its events.
  { realtime: "^server/realtime/" },
  { auth: "^server/auth/" },
  { storage: "^server/storage/", contacts: "^server/contacts/", "whatsapp-numbers": "^server/whatsapp-numbers/" },
  // Sending a template reads the catalogue; the catalogue never sends.
  { templates: "^server/templates/" },
  // Conversations and messages: ingest, send, outbox, window. The domains above build on it:
  { inbox: "^server/inbox/" },
  // media/ sends attachments through inbox/; workflow/ (status, assignment, labels, notes) extends
  // its conversations; autoreply/ answers through its send service; reports/ reads the database only.
  // blocking/ blocks a conversation's customer at Meta (the business number, the 24-hour rule of inbox/).
  { media: "^server/media/", workflow: "^server/workflow/", autoreply: "^server/autoreply/", reports: "^server/reports/", blocking: "^server/blocking/" },
  // The team (invitations, roles, deactivation, sign-up, workspace settings): deactivating someone
  // unassigns their conversations, and the workspace's time zone is checked as business hours are.
  { team: "^server/team/" },
  // Campaigns: template broadcasts built on the outbox (inbox/), contacts' consent and labels, the
  // template catalogue and the pricing estimate (reports/).
  { campaigns: "^server/campaigns/" },
  // The two doors of GraphQL: Yoga over HTTP (with the schema index) and graphql-ws over WebSocket,
  // which authenticates sockets (auth/) and closes them when their credential is revoked.
  { "graphql-schema": "^server/graphql/(schema|print-schema|http|graphiql)\\.ts$", websocket: "^server/websocket/" },
  { app: "^server/(app|main|demo)\\.ts$" },
];

/** Files that only name the services' types (see above): their imports are not layered. */
const TYPE_ONLY_HUBS = "^server/(app-services|graphql/context)\\.ts$";

const layerRules = LAYERS.flatMap((layer, index) =>
  Object.entries(layer).flatMap(([name, path]) => {
    const notBelow = [...Object.entries(layer).filter(([other]) => other !== name), ...LAYERS.slice(index + 1).flatMap(Object.entries)];
    if (notBelow.length === 0) return [];
    return {
      name: `layer:${name}`,
      comment: `${name} may import only units of lower layers: ${notBelow.map(([other]) => other).join(", ")} are not below it (see LAYERS)`,
      severity: "error",
      from: { path, pathNot: TYPE_ONLY_HUBS },
      to: { path: notBelow.map(([, otherPath]) => otherPath).join("|") },
    };
  }),
);

const OUR_CODE = "^server/";
const allUnits = LAYERS.flatMap(Object.values);

module.exports = {
  forbidden: [
    {
      name: "whatsapp-imports-nothing-of-ours",
      comment: "whatsapp/ speaks Meta's language only: no database, no inbox, no config",
      severity: "error",
      from: { path: "^server/whatsapp/" },
      to: { path: OUR_CODE, pathNot: "^server/whatsapp/" },
    },
    {
      name: "services-import-no-graphql-or-http",
      comment:
        "domain logic is called by both doors (and by tests directly): only a domain's *.graphql.ts, *.routes.ts and " +
        "auth's request/socket authentication import GraphQL or HTTP",
      severity: "error",
      from: {
        path: "^server/(auth|autoreply|blocking|contacts|inbox|media|reports|secrets|storage|team|templates|whatsapp-numbers|workflow)/",
        pathNot: "\\.(graphql|routes)\\.ts$|^server/auth/(http-auth|socket-auth)\\.ts$",
      },
      to: {
        path: [
          "^server/graphql/",
          "^server/http/",
          "\\.(graphql|routes)\\.ts$",
          "^server/auth/(http-auth|socket-auth)\\.ts$",
          "(^|/)node_modules/(fastify|@fastify/[^/]+|graphql|graphql-yoga|graphql-ws|@pothos/[^/]+)/",
        ].join("|"),
      },
    },
    {
      name: "type-only-hubs-import-types-only",
      comment: "app-services.ts and graphql/context.ts are exempt from the layers because they only name types",
      severity: "error",
      from: { path: TYPE_ONLY_HUBS },
      to: { path: OUR_CODE, dependencyTypesNot: ["type-only"] },
    },
    {
      name: "every-file-has-a-layer",
      comment: "a file of server/ outside every unit of LAYERS: add its folder to LAYERS",
      severity: "error",
      from: { path: OUR_CODE, pathNot: allUnits.join("|") },
      to: {},
    },
    {
      name: "no-circular",
      comment: "no module imports itself through others at run time (within a folder, two files may share each other's types)",
      severity: "error",
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: "node_modules|^server/generated/" },
    // Tests and their helpers may reach anything they test.
    // server/dist is the build's bundle (npm run build), not a source file with a layer.
    exclude: { path: "\\.test\\.ts$|^server/tests/|^server/dist/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js", ".mjs", ".json"] },
  },
};
