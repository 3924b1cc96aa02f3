import { compactFilters } from "./dashboard";
import { h } from "./dom";
import { hospitalPicker, testPicker, type Vocabulary } from "./pickers";
import { AGE_BANDS, SEXES } from "./querystate";
import type { DashboardFilters } from "./types";
import { checkboxes, field } from "./ui";

const SEX_NAMES: Record<(typeof SEXES)[number], string> = { F: "female", M: "male", U: "unknown" };

/**
 * The dashboard-level filters as a form: hospitals and tests from the data (the builder's pickers),
 * the period as months, sex and age bands. Nothing chosen in a field: that field does not filter.
 */
export function filterForm(
  vocabulary: Vocabulary,
  initial: DashboardFilters,
  prefix: string,
): { element: HTMLElement; values: () => DashboardFilters } {
  const hospitals = hospitalPicker(vocabulary.hospitals, initial.hospitals ?? []);
  const tests = testPicker(vocabulary.tests, initial.tests ?? [], () => undefined, {
    id: prefix + "-tests",
    legend: "Tests (none chosen: all)",
  });
  const month = (id: string, value: string | undefined) =>
    h("input", {
      type: "month",
      id,
      value: value ?? "",
      min: vocabulary.months[0],
      max: vocabulary.months[vocabulary.months.length - 1],
      placeholder: "YYYY-MM",
    });
  const from = month(prefix + "-from", initial.from_month);
  const to = month(prefix + "-to", initial.to_month);
  const range =
    vocabulary.months.length > 0
      ? `Data from ${vocabulary.months[0]} to ${vocabulary.months[vocabulary.months.length - 1]}; empty: no bound.`
      : "Empty: no bound.";
  const sexes = checkboxes(
    "Sex (none ticked: all)",
    SEXES.map((sex) => ({ value: sex, label: SEX_NAMES[sex] })),
    initial.sex ?? [],
  );
  const ages = checkboxes(
    "Age bands (none ticked: all)",
    Object.keys(AGE_BANDS).map((band) => ({ value: band, label: band })),
    initial.age_bands ?? [],
  );
  ages.element.classList.add("age-bands");
  return {
    element: h(
      "div",
      { class: "dashboard-filters" },
      h("div", { class: "grid" }, hospitals.element, tests.element),
      h(
        "fieldset",
        { class: "grid-fields" },
        h("legend", {}, "Period (months, inclusive)"),
        field("From month", from, range),
        field("To month", to),
      ),
      h("div", { class: "grid" }, sexes.element, ages.element),
    ),
    values: () =>
      compactFilters({
        hospitals: hospitals.values(),
        tests: tests.values(),
        from_month: from.value,
        to_month: to.value,
        sex: sexes.values(),
        age_bands: ages.values(),
      }),
  };
}

/** The filters in words for the page and its printout: "hospitals H001, H002 · 2024-01 to 2024-03". */
export function filtersText(filters: DashboardFilters): string {
  const parts: string[] = [];
  if (filters.hospitals?.length) {
    parts.push("hospitals " + filters.hospitals.join(", "));
  }
  if (filters.tests?.length) {
    parts.push("tests " + filters.tests.join(", "));
  }
  if (filters.from_month || filters.to_month) {
    parts.push(`${filters.from_month ?? "start"} to ${filters.to_month ?? "now"}`);
  }
  if (filters.sex?.length) {
    parts.push("sex " + filters.sex.join(", "));
  }
  if (filters.age_bands?.length) {
    parts.push("ages " + filters.age_bands.join(", "));
  }
  return parts.length === 0 ? "no filter: all the data" : parts.join(" · ");
}
