import type { QueryParameter } from "./types";

/** One form field generated from a predefined query's parameter schema. */
export interface FieldSpec {
  name: string;
  label: string;
  /** The HTML input type. */
  input: "text" | "number" | "date";
  step?: string;
  min?: string;
  max?: string;
  hint: string;
  /** The value the form starts with: the URL's, else the schema default. */
  value: string;
  /** The picker that takes the place of a text or date input, when the parameter is one the pickers know. */
  picker?: PickerKind;
}

/**
 * The pickers of the shared parameters: hospitals and tests from the data instead of comma-separated
 * text, a single test, and the months in the data for the date bounds (an exclusive upper bound is
 * the first day after the month picked).
 */
export type PickerKind = "hospitals" | "tests" | "test" | "month-start" | "month-end-inclusive" | "month-end-exclusive";

/** The picker of a parameter, by its name and type (the names the shipped queries share), or undefined. */
export function pickerOf(parameter: QueryParameter): PickerKind | undefined {
  const name = parameter.name.toLowerCase();
  if (parameter.type === "string-list" && (name === "hospitals" || name === "hospital_ids")) {
    return "hospitals";
  }
  if (parameter.type === "string-list" && (name === "tests" || name === "test_codes")) {
    return "tests";
  }
  if (parameter.type === "string" && (name === "test" || name === "test_code")) {
    return "test";
  }
  if (parameter.type === "date" && parameter.min === null && parameter.max === null) {
    if (name === "from") {
      return "month-start";
    }
    if (name === "to") {
      return /exclusive/i.test(parameter.description) ? "month-end-exclusive" : "month-end-inclusive";
    }
  }
  return undefined;
}

const PICKER_HINTS: Record<PickerKind, string> = {
  hospitals: "None ticked: all hospitals.",
  tests: "None chosen: all tests.",
  test: "Search by LOINC code or name.",
  "month-start": "From the first day of the month; empty: no bound.",
  "month-end-inclusive": "To the last day of the month; empty: no bound.",
  "month-end-exclusive": "To the last day of the month; empty: no bound.",
};

function humanise(name: string): string {
  const words = name.replace(/[_-]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The fields of a parameter schema, filled from {@code values} (the URL) where present. */
export function formFields(parameters: QueryParameter[], values: URLSearchParams): FieldSpec[] {
  return parameters.map((parameter) => {
    const value = values.get(parameter.name) ?? parameter.default ?? "";
    const field: FieldSpec = { name: parameter.name, label: humanise(parameter.name), input: "text", hint: parameter.description, value };
    switch (parameter.type) {
      case "int":
        Object.assign(field, { input: "number", step: "1" });
        break;
      case "double":
        Object.assign(field, { input: "number", step: "any" });
        break;
      case "date":
        field.input = "date";
        break;
      case "string-list":
        field.hint = parameter.description + (parameter.description.toLowerCase().includes("comma") ? "" : " (comma-separated)");
        break;
      case "string":
        break;
    }
    if (parameter.min !== null) {
      field.min = parameter.min;
    }
    if (parameter.max !== null) {
      field.max = parameter.max;
    }
    const picker = pickerOf(parameter);
    if (picker !== undefined) {
      field.picker = picker;
      field.hint = PICKER_HINTS[picker];
    }
    return field;
  });
}

/**
 * Checks the form's values against the schema and returns the parameters to send, or the first
 * problem as one line naming the parameter. Values equal to the default are left out.
 */
export function formParameters(
  parameters: QueryParameter[],
  values: Record<string, string>,
): { parameters: Record<string, string> } | { error: string } {
  const result: Record<string, string> = {};
  for (const parameter of parameters) {
    const raw = (values[parameter.name] ?? "").trim();
    if (raw === "" || raw === (parameter.default ?? "")) {
      continue;
    }
    const bounds = (compare: (a: string, b: string) => number) => {
      if (parameter.min !== null && compare(raw, parameter.min) < 0) {
        return `'${parameter.name}' must be at least ${parameter.min}, got ${raw}`;
      }
      if (parameter.max !== null && compare(raw, parameter.max) > 0) {
        return `'${parameter.name}' must be at most ${parameter.max}, got ${raw}`;
      }
      return null;
    };
    let problem: string | null = null;
    switch (parameter.type) {
      case "int":
        problem = /^-?\d+$/.test(raw)
          ? bounds((a, b) => Number(a) - Number(b))
          : `'${parameter.name}' must be a whole number, got '${raw}'`;
        break;
      case "double":
        problem =
          raw !== "" && Number.isFinite(Number(raw))
            ? bounds((a, b) => Number(a) - Number(b))
            : `'${parameter.name}' must be a number, got '${raw}'`;
        break;
      case "date":
        problem =
          /^\d{4}-\d{2}-\d{2}$/.test(raw) && !Number.isNaN(Date.parse(raw))
            ? bounds((a, b) => a.localeCompare(b))
            : `'${parameter.name}' must be a date YYYY-MM-DD, got '${raw}'`;
        break;
      case "string-list":
        result[parameter.name] = raw
          .split(",")
          .map((item) => item.trim())
          .filter((item) => item !== "")
          .join(",");
        continue;
      case "string":
        break;
    }
    if (problem !== null) {
      return { error: problem };
    }
    result[parameter.name] = raw;
  }
  return { parameters: result };
}
