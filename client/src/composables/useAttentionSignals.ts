import { useClientHandle } from "@urql/vue";
import { computed, onScopeDispose, ref, watch, watchEffect, type Ref } from "vue";
import { useRouter } from "vue-router";
import type { ConversationSummaryFragment } from "../graphql/generated/graphql.ts";
import { ConversationUpdatedSubscription, IncomingMessageSubscription } from "../graphql/inbox.ts";
import { useSession } from "./useSession.ts";

/** Where the agent's choices live: per browser, as the browser's own notification permission is. */
export const NOTIFY_KEY = "bharat.notifications";
export const SOUND_KEY = "bharat.sound";

export type NotificationState = "unsupported" | "denied" | "off" | "on";

const UNREAD_PREFIX = /^\(\d+\) /;

function stored(key: string): boolean {
  try {
    return localStorage.getItem(key) === "on";
  } catch {
    return false;
  }
}
function store(key: string, on: boolean) {
  try {
    localStorage.setItem(key, on ? "on" : "off");
  } catch {
    // Storage refused (private mode, quota): the choice holds for this tab only.
  }
}

/** Away: another tab, another window, or a locked phone — when a signal is worth giving. */
const away = () => document.visibilityState === "hidden" || !document.hasFocus();

let audio: AudioContext | null = null;
/** A short soft chime, synthesised: no sound file to download or to allow in the CSP. */
function chime() {
  audio ??= new AudioContext();
  void audio.resume();
  const start = audio.currentTime;
  const tone = audio.createOscillator();
  const volume = audio.createGain();
  tone.frequency.setValueAtTime(880, start);
  tone.frequency.setValueAtTime(1320, start + 0.12);
  volume.gain.setValueAtTime(0.12, start);
  volume.gain.exponentialRampToValueAtTime(0.001, start + 0.35);
  tone.connect(volume).connect(audio.destination);
  tone.start(start);
  tone.stop(start + 0.35);
}

/**
 * What keeps an agent with the inbox in a background tab: the unread total in the tab's title,
 * and — for a new customer message or a conversation assigned to them — a desktop notification
 * and a chime, each only if the agent turned it on. The permission is asked for on the agent's
 * click, never on load (browsers penalise, and agents dismiss, unprompted requests).
 * Everything comes from what the inbox already receives: the list's unread counts and pushes.
 */
export function useAttentionSignals(conversations: Readonly<Ref<readonly ConversationSummaryFragment[]>>) {
  const { client } = useClientHandle();
  const { user } = useSession();
  const router = useRouter();

  const unread = computed(() => conversations.value.reduce((total, conversation) => total + conversation.unreadCount, 0));
  // The router titles each page after navigating; the count goes in front of whatever it wrote.
  const showUnread = () => {
    const title = document.title.replace(UNREAD_PREFIX, "");
    document.title = unread.value > 0 ? `(${unread.value}) ${title}` : title;
  };
  watchEffect(showUnread);
  const stopTitling = router.afterEach(showUnread);
  onScopeDispose(() => {
    stopTitling();
    document.title = document.title.replace(UNREAD_PREFIX, "");
  });

  const supported = typeof Notification === "function";
  const permission = ref<NotificationPermission | null>(supported ? Notification.permission : null);
  const notifyChosen = ref(stored(NOTIFY_KEY));
  const notifications = computed<NotificationState>(() => {
    if (!permission.value) return "unsupported";
    if (permission.value === "denied") return "denied";
    return permission.value === "granted" && notifyChosen.value ? "on" : "off";
  });
  async function setNotifications(on: boolean) {
    notifyChosen.value = on;
    store(NOTIFY_KEY, on);
    if (on && supported && Notification.permission === "default") permission.value = await Notification.requestPermission();
  }

  const sound = ref(stored(SOUND_KEY));
  watch(sound, (on) => store(SOUND_KEY, on));

  const names = new Map<string, string>();
  const assignees = new Map<string, string | null>();
  const know = (conversation: ConversationSummaryFragment) => {
    names.set(conversation.id, conversation.displayName);
    assignees.set(conversation.id, conversation.assignee?.id ?? null);
  };
  watch(conversations, (list) => list.forEach(know), { immediate: true });

  function signal(conversationId: string, title: string, body: string) {
    if (!away()) return;
    if (sound.value) chime();
    if (notifications.value !== "on") return;
    try {
      // One per conversation: a burst of messages replaces its notification instead of stacking.
      const shown = new Notification(title, { body, tag: conversationId, icon: "/icons/icon-192.png" });
      shown.onclick = () => {
        window.focus();
        void router.push({ name: "inbox", params: { id: conversationId } });
        shown.close();
      };
    } catch {
      // Android's Chrome shows notifications only from a service worker; the title and sound remain.
    }
  }

  const messages = client.subscription(IncomingMessageSubscription, {}).subscribe(({ data }) => {
    const message = data?.messageAdded;
    if (!message || message.direction !== "INBOUND" || message.type === "reaction") return;
    signal(message.conversationId, names.get(message.conversationId) ?? "New WhatsApp message", message.preview);
  });
  const updates = client.subscription(ConversationUpdatedSubscription, {}).subscribe(({ data }) => {
    const conversation = data?.conversationUpdated;
    if (!conversation) return;
    const before = assignees.get(conversation.id);
    know(conversation);
    const me = user.value?.id;
    // Known before and someone else's (or no one's): now the agent's. A page loaded later is not news.
    if (me && before !== undefined && before !== me && conversation.assignee?.id === me) {
      signal(conversation.id, `Assigned to you: ${conversation.displayName}`, conversation.lastMessagePreview ?? "");
    }
  });
  onScopeDispose(() => {
    messages.unsubscribe();
    updates.unsubscribe();
  });

  return { unread, notifications, setNotifications, sound };
}
