import type { TypedDocumentNode } from "@urql/core";
import { useClientHandle } from "@urql/vue";
import { reactive, ref, shallowRef, watch, type Ref, type ShallowRef } from "vue";
import type {
  CannedResponseInput,
  LabelInput,
  WorkflowCannedResponseFragment,
  WorkflowLabelFragment,
} from "../graphql/generated/graphql.ts";
import {
  CannedResponsesQuery,
  CreateCannedResponseMutation,
  CreateLabelMutation,
  DeleteCannedResponseMutation,
  DeleteLabelMutation,
  LabelsQuery,
  UpdateCannedResponseMutation,
  UpdateLabelMutation,
} from "../graphql/workflow.ts";
import { compareStrings } from "./mergeById.ts";
import { useFieldErrors, type FieldError, type FieldErrorsState } from "./useFieldErrors.ts";

/** A create or update answer, as the catalog mutations are written (graphql/workflow.ts). */
type SaveAnswer<T> = { result: { item: T } | { __typename: string; message?: string; fieldErrors?: readonly FieldError[] } };
type DeleteAnswer = { result: { __typename: string; message?: string } };

/** What makes one catalog: its query, its mutations and its form. */
interface CatalogDefinition<T, Input> {
  list(): Promise<readonly T[] | null>;
  create: TypedDocumentNode<SaveAnswer<T>, { input: Input }>;
  update: TypedDocumentNode<SaveAnswer<T>, { id: string; input: Input }>;
  remove: TypedDocumentNode<DeleteAnswer, { id: string }>;
  /** The form's values for a new item, given the items there are. */
  blank(items: readonly T[]): Input;
  /** The form's values for editing `item`. */
  fieldsOf(item: T): Input;
}

/**
 * One editable list of the workspace (labels, canned responses): load, create or update through
 * one form with the server's field errors under its fields, delete.
 */
export interface WorkflowCatalog<T extends { id: string }, Input, Field extends string> {
  items: ShallowRef<readonly T[]>;
  status: Ref<"loading" | "done" | "error">;
  saving: Ref<boolean>;
  errors: FieldErrorsState<Field>;
  /** Why the last delete failed. */
  listError: Ref<string | null>;
  reload(): Promise<void>;
  /** Creates (`id` null) or updates; answers whether it was saved, so the form can empty itself. */
  save(id: string | null, input: Input): Promise<boolean>;
  remove(id: string): Promise<void>;
  blank(items: readonly T[]): Input;
  fieldsOf(item: T): Input;
}

function useCatalog<T extends { id: string }, Input extends object, Field extends string>(
  definition: CatalogDefinition<T, Input>,
  fields: readonly Field[],
  order: (a: T, b: T) => number,
): WorkflowCatalog<T, Input, Field> {
  const { client } = useClientHandle();
  const items = shallowRef<readonly T[]>([]);
  const status = ref<"loading" | "done" | "error">("loading");
  const saving = ref(false);
  const errors = useFieldErrors(fields);
  const listError = ref<string | null>(null);

  async function reload() {
    const list = await definition.list();
    status.value = list ? "done" : "error";
    if (list) items.value = [...list].sort(order);
  }

  async function save(id: string | null, input: Input): Promise<boolean> {
    saving.value = true;
    errors.clear();
    try {
      const answer = id
        ? await client.mutation(definition.update, { id, input }).toPromise()
        : await client.mutation(definition.create, { input }).toPromise();
      const result = answer.data?.result;
      if (result && "item" in result) {
        const { item } = result;
        items.value = [...items.value.filter((existing) => existing.id !== item.id), item].sort(order);
        return true;
      }
      if (!result) errors.fail(UNREACHABLE);
      else errors.apply(result.fieldErrors ?? [], result.message ?? "Could not save. Try again.");
      return false;
    } finally {
      saving.value = false;
    }
  }

  async function remove(id: string) {
    const result = (await client.mutation(definition.remove, { id }).toPromise()).data?.result;
    listError.value = result ? (result.message ?? null) : UNREACHABLE;
    if (!listError.value) items.value = items.value.filter((item) => item.id !== id);
  }

  void reload();
  return { items, status, saving, errors, listError, reload, save, remove, blank: definition.blank, fieldsOf: definition.fieldsOf };
}

const UNREACHABLE = "Could not reach the server. Try again.";
/**
 * What a new label is coloured until the agent picks another: the first of these no label wears
 * yet, so that labels added one after another can be told apart. WhatsApp's green comes first.
 */
export const LABEL_PALETTE = ["#25d366", "#1e88e5", "#f4511e", "#8e24aa", "#fdd835", "#00897b", "#d81b60", "#6d4c41", "#3949ab", "#7cb342"] as const;

export function nextLabelColor(labels: readonly { color: string }[]): string {
  const worn = new Set(labels.map((label) => label.color.toLowerCase()));
  return LABEL_PALETTE.find((color) => !worn.has(color)) ?? LABEL_PALETTE[labels.length % LABEL_PALETTE.length];
}

/** The canned-response form's fields, as the server names them in its refusals (`buttons.1.title`). */
const CANNED_FIELDS = ["shortcut", "body", "buttons", ...[0, 1, 2].flatMap((index) => [`buttons.${index}.title`, `buttons.${index}.id`] as const)] as const;
export type CannedField = (typeof CANNED_FIELDS)[number];

/** The workspace's labels and canned responses, for the Labels & replies page. */
export function useWorkflowSettings() {
  const { client } = useClientHandle();
  const fresh = { requestPolicy: "network-only" } as const;

  const labels = useCatalog<WorkflowLabelFragment, LabelInput, "name" | "color">(
    {
      list: async () => (await client.query(LabelsQuery, {}, fresh).toPromise()).data?.labels ?? null,
      create: CreateLabelMutation,
      update: UpdateLabelMutation,
      remove: DeleteLabelMutation,
      blank: (items) => ({ name: "", color: nextLabelColor(items) }),
      fieldsOf: ({ name, color }) => ({ name, color }),
    },
    ["name", "color"],
    (a, b) => a.name.localeCompare(b.name),
  );

  const canned = useCatalog<WorkflowCannedResponseFragment, CannedResponseInput, CannedField>(
    {
      list: async () => (await client.query(CannedResponsesQuery, {}, fresh).toPromise()).data?.cannedResponses ?? null,
      create: CreateCannedResponseMutation,
      update: UpdateCannedResponseMutation,
      remove: DeleteCannedResponseMutation,
      blank: () => ({ shortcut: "", body: "", buttons: [] }),
      // Without __typename: the input type has no such field.
      fieldsOf: ({ shortcut, body, buttons }) => ({ shortcut, body, buttons: buttons.map(({ id, title }) => ({ id, title })) }),
    },
    CANNED_FIELDS,
    (a, b) => compareStrings(a.shortcut, b.shortcut),
  );

  return { labels, canned };
}

/**
 * The add/edit form and delete confirmation of a catalog page: which item is being edited, the
 * form's fields, and the item waiting for "Delete?" — shared by every catalog (WorkflowCatalogManager).
 */
export function useCatalogEditor<T extends { id: string }, Input extends object, Field extends string>(catalog: WorkflowCatalog<T, Input, Field>) {
  const { fieldsOf } = catalog;
  const blank = () => catalog.blank(catalog.items.value);
  const editingId = ref<string | null>(null);
  const form = reactive(blank());
  // The list arrives after the form is made: an untouched new-item form follows it (a label's colour).
  let untouched = { ...blank() };
  watch(catalog.items, () => {
    if (editingId.value === null && JSON.stringify(form) === JSON.stringify(untouched)) fill(blank());
  });
  const deleting = shallowRef<T | null>(null);

  function fill(fields: Input) {
    Object.assign(form, fields);
    if (editingId.value === null) untouched = { ...fields };
    catalog.errors.clear();
  }

  function edit(item: T) {
    editingId.value = item.id;
    fill(fieldsOf(item));
  }

  function reset() {
    editingId.value = null;
    fill(blank());
  }

  async function save() {
    if (await catalog.save(editingId.value, { ...(form as Input) })) reset();
  }

  async function confirmDelete() {
    if (!deleting.value) return;
    await catalog.remove(deleting.value.id);
    deleting.value = null;
  }

  return { editingId, form, deleting, edit, reset, save, confirmDelete };
}
