package org.medlake.query.structured;

import java.util.Map;
import java.util.Set;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.query.structured.StructuredQuery.Aggregate;
import org.medlake.query.structured.StructuredQuery.Filter;
import org.medlake.query.structured.StructuredQuery.GroupBy;

/**
 * What an aggregate-only caller (viewer) may put in a structured query, by construction: a result
 * row is a cell of declared dimensions, never a patient, an encounter, a timestamp finer than a
 * month or a raw value. Checked before compiling; each refusal is one line naming the column.
 *
 * <ul>
 *   <li>group_by: only the dimensions in {@link #DIMENSIONS}, each with the bucket it allows
 *       (collected_at by month, quarter or year; birth year by age band only);
 *   <li>aggregates: counts, distinct patients, percent abnormal, mean, standard deviation and
 *       percentiles; min and max are refused (each is one patient's value, or an exact timestamp),
 *       and so is sum (the sums of two overlapping windows differ by exactly a hidden cell's
 *       values);
 *   <li>filters: not on identifiers ({@link #IDENTIFIERS}); filters on dates, birth years and
 *       values are allowed, they narrow a cell without showing rows, and differencing two filters
 *       is what the noise of {@code query.noise-*} (docs/privacy.md) is for.
 * </ul>
 */
final class AggregateOnlyRules {
  /**
   * Group columns an aggregate-only caller may use, with the buckets each allows (null: the value
   * itself).
   */
  static final Map<String, Set<Bucket>> DIMENSIONS =
      Map.of(
          "hospital_id", Set.of(),
          "collected_at", Set.of(Bucket.MONTH, Bucket.QUARTER, Bucket.YEAR),
          "test_code", Set.of(),
          "test_name", Set.of(),
          "unit", Set.of(),
          "unit_canonical", Set.of(),
          "patient_sex", Set.of(),
          "patient_birth_year", Set.of(Bucket.AGE_BAND),
          "abnormal_flag", Set.of());

  /**
   * Columns that identify a patient, an encounter or a delivered file: never filtered on by
   * aggregate-only callers.
   */
  static final Set<String> IDENTIFIERS =
      Set.of("patient_key", "encounter_key", "source_file", "ingest_run_id", "source_id");

  private AggregateOnlyRules() {}

  static void check(StructuredQuery query) {
    for (GroupBy group : query.groupBy()) {
      Set<Bucket> buckets = DIMENSIONS.get(group.column());
      if (buckets == null) {
        throw refused(
            "viewers may group only by %s; not by %s".formatted(dimensionList(), group.column()));
      }
      boolean allowed =
          group.bucket() == null ? buckets.isEmpty() : buckets.contains(group.bucket());
      if (!allowed) {
        throw refused(
            "viewers may group %s only %s, not %s"
                .formatted(
                    group.column(),
                    bucketList(buckets),
                    group.bucket() == null
                        ? "by its raw value"
                        : "by bucket " + group.bucket().jsonName()));
      }
    }
    for (Aggregate aggregate : query.aggregates()) {
      if (aggregate.function() == AggregateFunction.SUM) {
        throw refused(
            "viewers may not use aggregate 'sum' of %s: the difference of two sums is a hidden cell's values"
                .formatted(aggregate.column()));
      }
      if (aggregate.function() == AggregateFunction.MIN
          || aggregate.function() == AggregateFunction.MAX) {
        throw refused(
            "viewers may not use aggregate '%s'%s: it shows one patient's value"
                .formatted(
                    aggregate.function().jsonName(),
                    aggregate.column() == null ? "" : " of " + aggregate.column()));
      }
    }
    for (Filter filter : query.filters()) {
      if (IDENTIFIERS.contains(filter.column())) {
        throw refused("viewers may not filter on identifier column " + filter.column());
      }
    }
  }

  private static String dimensionList() {
    return "hospital_id, collected_at (month, quarter, year), test_code, test_name, unit, unit_canonical, patient_sex, "
        + "patient_birth_year (age_band), abnormal_flag";
  }

  private static String bucketList(Set<Bucket> buckets) {
    if (buckets.isEmpty()) {
      return "by its value";
    }
    return "by bucket "
        + String.join(" or ", buckets.stream().map(Bucket::jsonName).sorted().toList());
  }

  private static MedlakeException refused(String message) {
    return new MedlakeException(ErrorCode.QUERY_REFUSED, message);
  }
}
