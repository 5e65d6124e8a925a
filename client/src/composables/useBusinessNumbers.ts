import { useClientHandle } from "@urql/vue";
import { computed, shallowRef } from "vue";
import type { InboxNumbersQuery as InboxNumbers } from "../graphql/generated/graphql.ts";
import { InboxNumbersQuery } from "../graphql/inbox.ts";

export type BusinessNumber = InboxNumbers["whatsappNumbers"][number];

/** How a business number is named: as people read it, else Meta's phone number id. */
export const businessNumberLabel = (number: BusinessNumber) => number.displayPhoneNumber ?? number.phoneNumberId;

/**
 * The workspace's WhatsApp numbers, first first. Which number a conversation is on is shown only
 * when there is more than one: with a single number it says nothing.
 */
export function useBusinessNumbers() {
  const { client } = useClientHandle();
  const numbers = shallowRef<readonly BusinessNumber[]>([]);
  void client
    .query(InboxNumbersQuery, {})
    .toPromise()
    .then((result) => {
      if (result.data) numbers.value = result.data.whatsappNumbers;
    });
  const several = computed(() => numbers.value.length > 1);
  return { numbers, several };
}
