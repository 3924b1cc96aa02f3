package org.medlake.testkit.generate;

import static java.util.Objects.requireNonNull;
import static org.medlake.core.contract.RejectReason.BAD_QUOTING;
import static org.medlake.core.contract.RejectReason.COLLECTED_OUTSIDE_MONTH;
import static org.medlake.core.contract.RejectReason.DUPLICATE_ROW;
import static org.medlake.core.contract.RejectReason.ENCODING;
import static org.medlake.core.contract.RejectReason.IMPLAUSIBLE_VALUE;
import static org.medlake.core.contract.RejectReason.INVALID_COLLECTED_AT;
import static org.medlake.core.contract.RejectReason.INVALID_TEST_CODE;
import static org.medlake.core.contract.RejectReason.MISSING_COLLECTED_AT;
import static org.medlake.core.contract.RejectReason.MISSING_PATIENT_ID;
import static org.medlake.core.contract.RejectReason.MISSING_TEST_CODE;
import static org.medlake.core.contract.RejectReason.RAGGED_ROW;

import java.time.LocalDateTime;
import java.time.YearMonth;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.medlake.core.contract.RejectReason;
import org.medlake.testkit.generate.Layout.Role;

/**
 * Decides which rows of a file are defective and breaks each of them in exactly one way. Exactly
 * {@code round(dirtyFraction * rows)} rows are chosen, spread evenly by selection sampling.
 */
final class DefectInjector {
  private static final List<String> TEXT_AFTER_QUOTE = List.of("x", "a", "b", "n");

  private final Layout layout;
  private final YearMonth month;
  private final EncounterGenerator encounters;
  private final SplittableRandom random;
  private final List<RejectReason> kinds;
  private long rowsLeft;
  private long defectsLeft;

  DefectInjector(
      Layout layout,
      YearMonth month,
      EncounterGenerator encounters,
      long rows,
      double dirtyFraction,
      SplittableRandom random) {
    this.layout = requireNonNull(layout, "layout is null");
    this.month = requireNonNull(month, "month is null");
    this.encounters = requireNonNull(encounters, "encounters is null");
    this.random = requireNonNull(random, "random is null");
    this.kinds = applicableKinds(layout);
    this.rowsLeft = rows;
    this.defectsLeft = Math.round(dirtyFraction * rows);
  }

  /**
   * The defects a layout can have. Results of any form and local codes without a standard code are
   * stored, not rejected, under the default rules: they are not defects.
   */
  static List<RejectReason> applicableKinds(Layout layout) {
    List<RejectReason> kinds =
        new java.util.ArrayList<>(
            List.of(
                MISSING_PATIENT_ID,
                MISSING_TEST_CODE,
                MISSING_COLLECTED_AT,
                INVALID_COLLECTED_AT,
                COLLECTED_OUTSIDE_MONTH,
                DUPLICATE_ROW,
                RAGGED_ROW,
                BAD_QUOTING,
                ENCODING,
                IMPLAUSIBLE_VALUE));
    if (layout.index(Role.LOCAL_CODE) < 0) {
      kinds.add(INVALID_TEST_CODE);
    }
    return List.copyOf(kinds);
  }

  /** Call once per row, in order. */
  boolean nextRowIsDefective() {
    boolean defective = defectsLeft > 0 && random.nextLong(rowsLeft) < defectsLeft;
    rowsLeft--;
    if (defective) {
      defectsLeft--;
    }
    return defective;
  }

  /**
   * A kind that can break this row: a duplicate needs an earlier clean row, an implausible value a
   * number.
   */
  RejectReason chooseKind(LabResult row, boolean earlierCleanRowExists) {
    while (true) {
      RejectReason kind = kinds.get(random.nextInt(kinds.size()));
      if (kind == DUPLICATE_ROW && !earlierCleanRowExists) {
        continue;
      }
      if (kind == IMPLAUSIBLE_VALUE && row.test().isText()) {
        continue;
      }
      return kind;
    }
  }

  /** The fields of the broken row; not for {@link RejectReason#DUPLICATE_ROW}. */
  BrokenRow breakRow(RejectReason kind, LabResult row) {
    String[] fields = new String[layout.columns().size()];
    switch (kind) {
      case COLLECTED_OUTSIDE_MONTH -> {
        LocalDateTime collectedAt = encounters.collectionOutsideMonth();
        layout.format(
            row.withTimes(collectedAt, encounters.resultTime(collectedAt)), month, fields);
        return new BrokenRow(fields);
      }
      case IMPLAUSIBLE_VALUE -> {
        layout.format(implausible(row), month, fields);
        return new BrokenRow(fields);
      }
      default -> layout.format(row, month, fields);
    }
    switch (kind) {
      case MISSING_PATIENT_ID -> fields[layout.index(Role.PATIENT_ID)] = "";
      case MISSING_TEST_CODE -> fields[testCodeIndex()] = "";
      case MISSING_COLLECTED_AT -> fields[layout.index(Role.COLLECTED_AT)] = "";
      case INVALID_COLLECTED_AT ->
          fields[layout.index(Role.COLLECTED_AT)] = invalidTimestamp(row.collectedAt());
      case INVALID_TEST_CODE ->
          fields[testCodeIndex()] = layout.invalidTestCode(row.test(), random);
      case ENCODING ->
          fields[layout.index(Role.SPECIMEN)] = withStrayByte(fields[layout.index(Role.SPECIMEN)]);
      case RAGGED_ROW -> {
        return new BrokenRow(ragged(fields));
      }
      case BAD_QUOTING -> {
        return new BrokenRow(
            fields, nameIndex(), TEXT_AFTER_QUOTE.get(random.nextInt(TEXT_AFTER_QUOTE.size())));
      }
      default -> throw new IllegalArgumentException("Cannot break a row with " + kind);
    }
    return new BrokenRow(fields);
  }

  private int testCodeIndex() {
    int index = layout.index(Role.TEST_CODE);
    return index >= 0 ? index : layout.index(Role.LOCAL_CODE);
  }

  private int nameIndex() {
    int index = layout.index(Role.TEST_NAME);
    return index >= 0 ? index : layout.index(Role.LOCAL_NAME);
  }

  private String invalidTimestamp(LocalDateTime time) {
    return switch (random.nextInt(3)) {
      case 0 -> layout.impossibleTimestamp(time);
      case 1 -> layout.wrongFormatTimestamp(time);
      default -> "yesterday";
    };
  }

  /** A negative value or one far above the plausible maximum, e.g. sodium 9999. */
  private LabResult implausible(LabResult row) {
    LabTest test = row.test();
    if (random.nextBoolean() && test.plausibleMin() >= 0) {
      double typical = Math.max(test.parameters(row.patient().sex()).mean(), 1);
      return row.withValue(-TextFormat.round(typical, test.decimals()), Flag.CRITICAL_LOW);
    }
    double high = test.plausibleMax() < 9999 ? 9999 : test.plausibleMax() * 10;
    return row.withValue(high, Flag.CRITICAL_HIGH);
  }

  private String withStrayByte(String text) {
    char stray =
        random.nextBoolean() ? CsvLineEncoder.STRAY_LATIN1_BYTE : CsvLineEncoder.STRAY_FF_BYTE;
    return text.isEmpty() ? String.valueOf(stray) : text.charAt(0) + (stray + text.substring(1));
  }

  private String[] ragged(String[] fields) {
    if (random.nextBoolean()) {
      return Arrays.copyOf(fields, fields.length - 1);
    }
    String[] longer = Arrays.copyOf(fields, fields.length + 1);
    longer[fields.length] = random.nextBoolean() ? "" : "1";
    return longer;
  }

  /**
   * @param badlyQuotedField the field written as {@code "value"text}, or -1
   */
  record BrokenRow(String[] fields, int badlyQuotedField, String textAfterQuote) {
    BrokenRow {
      requireNonNull(fields, "fields is null");
      requireNonNull(textAfterQuote, "textAfterQuote is null");
    }

    BrokenRow(String[] fields) {
      this(fields, -1, "");
    }
  }
}
