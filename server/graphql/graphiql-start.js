// Starts GraphiQL from this server's files alone. The page's content security policy runs no
// inline script, so the options arrive as a JSON block and Monaco's workers by same-origin URL
// (the package's own page inlines both, and would be blank under that policy).
const assets = document.currentScript.src.replace(/[^/]*$/, "");
const workers = { editorWorkerService: "editor.worker.js", json: "json.worker.js", graphql: "graphql.worker.js" };
self.MonacoEnvironment = {
  globalAPI: false,
  getWorkerUrl: (_moduleId, label) => assets + (workers[label] ?? workers.editorWorkerService),
};
// graphiql.js is deferred: it has run by the time the document is parsed.
addEventListener("DOMContentLoaded", () => {
  const options = JSON.parse(document.getElementById("graphiql-options").textContent);
  YogaGraphiQL.renderYogaGraphiQL(document.getElementById("root"), options);
});
