import { useClientHandle } from "@urql/vue";
import { reactive, ref, shallowRef } from "vue";
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
import { useFieldErrors, type FieldError } from "./useFieldErrors.ts";

/** A mutation's answer, reduced to what a settings form shows. */
interface Saved<T> {
  item?: T;
  fieldErrors?: readonly FieldError[];
  message?: string;
}

interface CatalogOperations<T, Input> {
  list(): Promise<readonly T[] | null>;
  save(id: string | null, input: Input): Promise<Saved<T>>;
  /** Answers an error message, or null when deleted. */
  remove(id: string): Promise<string | null>;
  /** The form's values for a new item. */
  blank(): Input;
  /** The form's values for editing `item`. */
  fieldsOf(item: T): Input;
}

/**
 * One editable list of the workspace (labels, canned responses): load, create or update through
 * one form with the server's field errors under its fields, delete.
 */
function useCatalog<T extends { id: string }, Input, Field extends string>(
  operations: CatalogOperations<T, Input>,
  fields: readonly Field[],
  order: (a: T, b: T) => number,
) {
  const items = shallowRef<readonly T[]>([]);
  const status = ref<"loading" | "done" | "error">("loading");
  const saving = ref(false);
  const errors = useFieldErrors(fields);
  const listError = ref<string | null>(null);

  async function reload() {
    const list = await operations.list();
    status.value = list ? "done" : "error";
    if (list) items.value = [...list].sort(order);
  }

  /** Creates (`id` null) or updates; returns whether it was saved, so the form can empty itself. */
  async function save(id: string | null, input: Input): Promise<boolean> {
    saving.value = true;
    errors.clear();
    try {
      const answer = await operations.save(id, input);
      const { item } = answer;
      if (item) {
        items.value = [...items.value.filter((existing) => existing.id !== item.id), item].sort(order);
        return true;
      }
      errors.apply(answer.fieldErrors ?? [], answer.message ?? "Could not save. Try again.");
      return false;
    } finally {
      saving.value = false;
    }
  }

  async function remove(id: string) {
    listError.value = await operations.remove(id);
    if (!listError.value) items.value = items.value.filter((item) => item.id !== id);
  }

  void reload();
  return { items, status, saving, errors, listError, reload, save, remove, blank: operations.blank, fieldsOf: operations.fieldsOf };
}

const UNREACHABLE = "Could not reach the server. Try again.";
/** WhatsApp's green: what a new label is coloured until the agent picks another. */
const DEFAULT_LABEL_COLOR = "#25d366";

/** The workspace's labels and canned responses, for the Labels & replies page. */
export function useWorkflowSettings() {
  const { client } = useClientHandle();

  const labels = useCatalog<WorkflowLabelFragment, LabelInput, "name" | "color">(
    {
      list: async () => (await client.query(LabelsQuery, {}, { requestPolicy: "network-only" }).toPromise()).data?.labels ?? null,
      async save(id, input) {
        const result = id
          ? (await client.mutation(UpdateLabelMutation, { id, input }).toPromise()).data?.updateLabel
          : (await client.mutation(CreateLabelMutation, { input }).toPromise()).data?.createLabel;
        if (!result) return { message: UNREACHABLE };
        if ("label" in result) return { item: result.label };
        return { fieldErrors: "fieldErrors" in result ? result.fieldErrors : [], message: "message" in result ? result.message : undefined };
      },
      async remove(id) {
        const answer = (await client.mutation(DeleteLabelMutation, { id }).toPromise()).data?.deleteLabel;
        return answer?.__typename === "MutationDeleteLabelSuccess" ? null : ((answer && "message" in answer && answer.message) || UNREACHABLE);
      },
      blank: () => ({ name: "", color: DEFAULT_LABEL_COLOR }),
      fieldsOf: ({ name, color }) => ({ name, color }),
    },
    ["name", "color"],
    (a, b) => a.name.localeCompare(b.name),
  );

  const canned = useCatalog<WorkflowCannedResponseFragment, CannedResponseInput, "shortcut" | "body">(
    {
      list: async () => (await client.query(CannedResponsesQuery, {}, { requestPolicy: "network-only" }).toPromise()).data?.cannedResponses ?? null,
      async save(id, input) {
        const result = id
          ? (await client.mutation(UpdateCannedResponseMutation, { id, input }).toPromise()).data?.updateCannedResponse
          : (await client.mutation(CreateCannedResponseMutation, { input }).toPromise()).data?.createCannedResponse;
        if (!result) return { message: UNREACHABLE };
        if ("cannedResponse" in result) return { item: result.cannedResponse };
        return { fieldErrors: "fieldErrors" in result ? result.fieldErrors : [], message: "message" in result ? result.message : undefined };
      },
      async remove(id) {
        const answer = (await client.mutation(DeleteCannedResponseMutation, { id }).toPromise()).data?.deleteCannedResponse;
        return answer?.__typename === "MutationDeleteCannedResponseSuccess" ? null : ((answer && "message" in answer && answer.message) || UNREACHABLE);
      },
      blank: () => ({ shortcut: "", body: "" }),
      fieldsOf: ({ shortcut, body }) => ({ shortcut, body }),
    },
    ["shortcut", "body"],
    (a, b) => compareStrings(a.shortcut, b.shortcut),
  );

  return { labels, canned };
}

export type WorkflowCatalog<T extends { id: string }, Input, Field extends string> = ReturnType<typeof useCatalog<T, Input, Field>>;

/**
 * The add/edit form and delete confirmation of a catalog page: which item is being edited, the
 * form's fields, and the item waiting for "Delete?" — shared by every catalog (WorkflowCatalogManager).
 */
export function useCatalogEditor<T extends { id: string }, Input extends object, Field extends string>(catalog: WorkflowCatalog<T, Input, Field>) {
  const { blank, fieldsOf } = catalog;
  const editingId = ref<string | null>(null);
  const form = reactive(blank());
  const deleting = shallowRef<T | null>(null);

  function fill(fields: Input) {
    Object.assign(form, fields);
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
