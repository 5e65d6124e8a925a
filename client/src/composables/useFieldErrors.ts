import { ref, type Ref } from "vue";

/** One refused input, as the server's ValidationError reports it. */
export interface FieldError {
  field: string;
  message: string;
}

export type FieldErrorMap<Field extends string> = Partial<Record<Field, string>>;

/**
 * Sorts the server's fieldErrors into the form's own fields (shown under each field) and the
 * rest (shown above the form), so that no refusal is ever silently dropped. Several messages
 * for one field are shown together.
 */
export function sortFieldErrors<Field extends string>(fields: readonly Field[], errors: readonly FieldError[]) {
  const byField: FieldErrorMap<Field> = {};
  const other: string[] = [];
  for (const { field, message } of errors) {
    const known = fields.find((name) => name === field);
    if (known === undefined) other.push(message);
    else byField[known] = byField[known] ? `${byField[known]} ${message}` : message;
  }
  return { byField, other };
}

export interface FieldErrorsState<Field extends string> {
  /** The message under each refused field. */
  byField: Ref<FieldErrorMap<Field>>;
  /** Refusals that belong to no field of this form, and failures such as "server unreachable". */
  formError: Ref<string | null>;
  apply(errors: readonly FieldError[], fallback: string): void;
  fail(message: string): void;
  clear(): void;
}

/** The error state of a form whose server answers with a ValidationError. */
export function useFieldErrors<Field extends string>(fields: readonly Field[]): FieldErrorsState<Field> {
  const byField = ref<FieldErrorMap<Field>>({}) as Ref<FieldErrorMap<Field>>;
  const formError = ref<string | null>(null);

  return {
    byField,
    formError,
    apply(errors, fallback) {
      const sorted = sortFieldErrors(fields, errors);
      byField.value = sorted.byField;
      const nothingShown = sorted.other.length === 0 && Object.keys(sorted.byField).length === 0;
      formError.value = sorted.other.length > 0 ? sorted.other.join(" ") : nothingShown ? fallback : null;
    },
    fail(message) {
      byField.value = {};
      formError.value = message;
    },
    clear() {
      byField.value = {};
      formError.value = null;
    },
  };
}
