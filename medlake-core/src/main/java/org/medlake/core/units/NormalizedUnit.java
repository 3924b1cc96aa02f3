package org.medlake.core.units;

import static java.util.Objects.requireNonNull;

/**
 * A unit string as a hospital wrote it, read by {@link UnitNormalizer}.
 *
 * @param unit the UCUM expression when {@code form} is {@link Form#UCUM}, the written text
 *     (trimmed) when {@link Form#NOT_UNDERSTOOD}, and the empty string when {@link Form#ABSENT}
 * @param form what the written text turned out to be
 */
public record NormalizedUnit(String unit, Form form) {
  /** What a written unit turned out to be. */
  public enum Form {
    /** A valid UCUM expression, possibly after applying the alias rules. */
    UCUM,
    /** Neither valid UCUM nor a known spelling; {@code unit} keeps the written text. */
    NOT_UNDERSTOOD,
    /** Nothing written (empty or blank). */
    ABSENT
  }

  public NormalizedUnit {
    requireNonNull(unit, "unit is null");
    requireNonNull(form, "form is null");
    if ((form == Form.ABSENT) != unit.isEmpty()) {
      throw new IllegalArgumentException("unit '" + unit + "' does not fit form " + form);
    }
  }

  static NormalizedUnit ucum(String unit) {
    return new NormalizedUnit(unit, Form.UCUM);
  }

  static NormalizedUnit notUnderstood(String written) {
    return new NormalizedUnit(written, Form.NOT_UNDERSTOOD);
  }

  static NormalizedUnit absent() {
    return new NormalizedUnit("", Form.ABSENT);
  }

  public boolean isUcum() {
    return form == Form.UCUM;
  }
}
