package org.medlake.query.structured;

import java.util.List;

/**
 * The share of abnormal results, counted over the results whose flag is known: the hospital's flag
 * where it sent one, else the flag the result's reference range gives. Many hospitals send no flags
 * but reference ranges, so counting only sent flags would make their abnormal share empty, and a
 * mix of both would weigh one hospital's flags against another's silence.
 *
 * <p>The effective flag of a row: {@code abnormal_flag} if not null; else, for a numeric result and
 * a reference range with at least one bound, {@code L} below {@code ref_low}, {@code H} above
 * {@code ref_high}, {@code N} within every bound the range has (bounds inclusive); else unknown
 * (null). A censored result ({@code value_comparator} {@code <}, {@code <=}, {@code >}, {@code >=})
 * gets a flag only where every value it stands for gets the same one: {@code <2} under a low bound
 * of 3 is {@code L}, {@code <2} over a low bound of 1 is unknown. The abnormal share is the
 * effective flags other than {@code N} over the known effective flags, in percent (null when none
 * is known). docs/queries.md gives the same definition.
 */
public final class AbnormalShare {
  /** The columns the definition reads. */
  public static final List<String> COLUMNS =
      List.of("abnormal_flag", "value_numeric", "value_comparator", "ref_low", "ref_high");

  /**
   * The effective flag of a {@code lab_results} row, as a SQL expression over unqualified columns.
   */
  public static final String EFFECTIVE_FLAG =
      """
      CASE WHEN abnormal_flag IS NOT NULL THEN abnormal_flag \
      WHEN value_numeric IS NULL OR (ref_low IS NULL AND ref_high IS NULL) THEN NULL \
      WHEN ref_low IS NOT NULL AND coalesce(value_comparator, '') NOT IN ('>', '>=') \
      AND (value_numeric < ref_low OR (value_numeric = ref_low AND value_comparator = '<')) THEN 'L' \
      WHEN ref_high IS NOT NULL AND coalesce(value_comparator, '') NOT IN ('<', '<=') \
      AND (value_numeric > ref_high OR (value_numeric = ref_high AND value_comparator = '>')) THEN 'H' \
      WHEN (ref_low IS NULL OR (value_numeric >= ref_low AND coalesce(value_comparator, '') NOT IN ('<', '<='))) \
      AND (ref_high IS NULL OR (value_numeric <= ref_high AND coalesce(value_comparator, '') NOT IN ('>', '>='))) THEN 'N' \
      END""";

  /** The abnormal share in percent, as an aggregate SQL expression. */
  public static final String PERCENT =
      "100.0 * count(*) FILTER (WHERE ("
          + EFFECTIVE_FLAG
          + ") <> 'N') / NULLIF(count("
          + EFFECTIVE_FLAG
          + "), 0)";

  private AbnormalShare() {}
}
