import urql from "@urql/vue";
import { createApp } from "vue";
import { createWebHistory } from "vue-router";
import App from "./App.vue";
import { useSession } from "./composables/useSession.ts";
import { createAppRouter } from "./router.ts";
import "./styles/global.css";
import { createAppGraphQLClient } from "./urql.ts";

const session = useSession();
const router = createAppRouter(session, createWebHistory());

createApp(App)
  .use(router)
  .use(urql, createAppGraphQLClient(session, router))
  .mount("#app");
