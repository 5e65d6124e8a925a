import urql from "@urql/vue";
import { createApp } from "vue";
import { createWebHistory } from "vue-router";
import App from "./App.vue";
import { useSession } from "./composables/useSession.ts";
import { createLiveSocket, LIVE_SOCKET_STATUS } from "./liveSocket.ts";
import { createAppRouter } from "./router.ts";
import "./styles/global.css";
import { createAppGraphQLClient } from "./urql.ts";

const session = useSession();
const router = createAppRouter(session, createWebHistory());
const socket = createLiveSocket();

createApp(App)
  .use(router)
  .use(urql, createAppGraphQLClient(session, router, socket))
  .provide(LIVE_SOCKET_STATUS, socket.status)
  .mount("#app");
