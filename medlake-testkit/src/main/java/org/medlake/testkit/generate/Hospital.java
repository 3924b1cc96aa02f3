package org.medlake.testkit.generate;

import static java.util.Objects.requireNonNull;

import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A synthetic hospital: hospital {@code i} (0-based) uses layout {@code i mod 3}. */
record Hospital(int index, String hospitalId, String source, ZoneId timeZone, Layout layout) {
  private static final List<String> TIME_ZONES =
      List.of(
          "Europe/Berlin",
          "Europe/Vienna",
          "Europe/Zurich",
          "America/New_York",
          "Europe/Amsterdam",
          "America/Chicago");

  Hospital {
    requireNonNull(hospitalId, "hospitalId is null");
    requireNonNull(source, "source is null");
    requireNonNull(timeZone, "timeZone is null");
    requireNonNull(layout, "layout is null");
  }

  /**
   * @param realWorld the layouts write real-world shapes: the German hospital reports glucose and
   *     creatinine in SI units, the dictionary hospital has local items without a LOINC code
   */
  static Hospital create(int index, LabTestCatalog catalog, boolean realWorld) {
    String number = TextFormat.padded(new StringBuilder(), index + 1L, 3).toString();
    Layout layout =
        switch (index % 3) {
          case 0 -> new IsoLayout();
          case 1 -> new GermanLayout(realWorld ? RealWorldShapes.siUnits(catalog) : Map.of());
          default -> new ItemsLayout(catalog, realWorld);
        };
    return new Hospital(
        index,
        "H" + number,
        "h" + number.toLowerCase(Locale.ROOT),
        ZoneId.of(TIME_ZONES.get(index % TIME_ZONES.size())),
        layout);
  }

  /** The same hospital delivering through another source, e.g. a one-off backfill. */
  Hospital withSource(String otherSource) {
    return new Hospital(index, hospitalId, otherSource, timeZone, layout);
  }
}
