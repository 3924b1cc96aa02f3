package org.medlake.testkit.generate;

import static java.util.Objects.requireNonNull;

import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.medlake.testkit.generate.LabTest.Distribution;
import org.medlake.testkit.generate.LabTest.Parameters;
import org.medlake.testkit.generate.LabTest.Range;
import org.medlake.testkit.generate.LabTest.TextResult;
import org.medlake.testkit.generate.Layout.Role;

/**
 * Valid rows of the shapes real laboratory exports have, written instead of a share of a file's
 * ordinary rows: semi-quantitative grades, ranges per high power field, titers, results above the
 * measuring range, free text, units spelled another way, flag variants and, in the dictionary
 * layout, local codes without a standard code. None of them is a reason to reject a row.
 */
final class RealWorldShapes {
  /**
   * Share of a file's ordinary rows (not defects, not filtered rows) written in one of the shapes.
   */
  static final double SHARE = 0.08;

  /** The count of a file's ordinary rows written in a hospital's own unit ({@link LocalUnit}). */
  static final String CONVERTED_UNIT = "CONVERTED_UNIT";

  static final String DELTA_FLAG = "delta";

  /** Tests with LOINC codes that are not in the catalogue, so have no plausible range or unit. */
  static final List<LabTest> STANDARD_TESTS =
      List.of(
          numeric(
              "13945-1",
              "Erythrocytes [#/area] in Urine sediment by Microscopy high power field",
              "/[HPF]",
              new Range(0, 2),
              2,
              0),
          numeric(
              "5821-4",
              "Leukocytes [#/area] in Urine sediment by Microscopy high power field",
              "/[HPF]",
              new Range(0, 5),
              3,
              0),
          numeric(
              "5048-4",
              "Nuclear Ab [Titer] in Serum by Immunofluorescence",
              "",
              Range.NONE,
              40,
              0));

  /** Local items the hospital's dictionary lists without a LOINC code. */
  static final List<LabTest> UNMAPPED_ITEMS =
      List.of(
          numeric("K8001", "Hemolysis index", "", Range.NONE, 15, 0),
          numeric("K8002", "Lipemia index", "", Range.NONE, 20, 0),
          text(
              "K8003",
              "Specimen comment",
              List.of(
                  new TextResult("See comments", 0.4),
                  new TextResult("Hemolyzed, please repeat", 0.3),
                  new TextResult("QNS=quantity not sufficient", 0.3))));

  /** Local codes the hospital's dictionary does not list at all. */
  static final List<LabTest> UNKNOWN_ITEMS =
      List.of(
          numeric("L501", "Calprotectin (send-out)", "ug/g", new Range(0, 50), 60, 0),
          numeric("L502", "Anti-Xa activity", "IU/mL", new Range(0.5, 1.0), 0.7, 2),
          text(
              "L503",
              "Culture comment",
              List.of(
                  new TextResult("No growth after 5 days", 0.7),
                  new TextResult("Mixed flora, 3 types", 0.3))));

  private static final List<String> ORDINAL_TESTS =
      List.of("20454-5", "25428-4", "5794-3", "5797-6", "5799-2");
  private static final List<TextResult> GRADES =
      List.of(
          new TextResult("NEG", 0.5),
          new TextResult("TRACE", 0.15),
          new TextResult("1+", 0.15),
          new TextResult("2+", 0.12),
          new TextResult("3+", 0.08));
  private static final List<TextResult> SEDIMENT_COUNTS =
      List.of(
          new TextResult("0-2", 0.45),
          new TextResult("3-5", 0.25),
          new TextResult("5-10", 0.15),
          new TextResult("10-20", 0.1),
          new TextResult("20-50", 0.05));
  private static final List<TextResult> TITERS =
      List.of(
          new TextResult("<1:40", 0.4),
          new TextResult("1:40", 0.15),
          new TextResult("1:80", 0.2),
          new TextResult("1:160", 0.12),
          new TextResult("1:320", 0.08),
          new TextResult("1:640", 0.05));
  private static final List<String> FREE_TEXT =
      List.of(
          "See comments",
          "Hemolyzed, please repeat",
          "RBC=3-5/HPF, WBC=0-2/HPF",
          "Specimen clotted; recollect",
          "cancelled by lab");

  /** Ferritin above the measuring range of the assay. */
  private static final String CENSORED_TEST = "2276-4";

  private static final double CENSORED_LIMIT = 1000;

  /** Tests whose unit hospitals spell in many ways, and the spellings. */
  private static final List<String> SPELLED_TESTS =
      List.of("2345-7", "2160-0", "718-7", "6690-2", "2951-2");

  private static final Map<String, String> SPELLINGS =
      Map.of(
          "mg/dL", "MG/DL",
          "mmol/L", "mmol/l",
          "umol/L", "umol/l",
          "g/dL", "g/dl",
          "10*3/uL", "K/uL");
  private static final double NO_UNIT_SHARE = 0.2;

  private final Layout layout;
  private final SplittableRandom random;
  private final List<Kind> kinds;
  private final double totalWeight;
  private final List<LabTest> ordinalTests = new ArrayList<>();
  private final List<LabTest> spelledTests = new ArrayList<>();
  private final LabTest censoredTest;

  /**
   * @param random a stream of its own, so that the choice of rows does not depend on their content
   */
  RealWorldShapes(Layout layout, LabTestCatalog catalog, SplittableRandom random) {
    this.layout = requireNonNull(layout, "layout is null");
    this.random = requireNonNull(random, "random is null");
    boolean dictionary = layout.index(Role.LOCAL_CODE) >= 0;
    this.kinds =
        Stream.of(Kind.values()).filter(kind -> dictionary || !kind.needsLocalCodes).toList();
    this.totalWeight = kinds.stream().mapToDouble(kind -> kind.weight).sum();
    ORDINAL_TESTS.forEach(code -> ordinalTests.add(test(catalog, code)));
    SPELLED_TESTS.forEach(code -> spelledTests.add(test(catalog, code)));
    this.censoredTest = test(catalog, CENSORED_TEST);
  }

  /**
   * Glucose in mmol/L and creatinine in umol/L, as most laboratories outside the US report them.
   */
  static Map<String, LocalUnit> siUnits(LabTestCatalog catalog) {
    return Map.of(
        "2345-7", LocalUnit.substance("mmol/L", -3, molarMass(catalog, "2345-7"), 1),
        "2160-0", LocalUnit.substance("umol/L", -6, molarMass(catalog, "2160-0"), 0));
  }

  /** Call once per ordinary row, in order. */
  boolean nextRowIsShaped() {
    return random.nextDouble() < SHARE;
  }

  /** Fills {@code fields} with a row of a shape chosen at random. */
  Shaped write(EncounterGenerator encounters, YearMonth month, String[] fields) {
    Kind kind = chooseKind();
    LabResult result =
        switch (kind) {
          case ORDINAL -> encounters.extraResult(pick(ordinalTests));
          case RANGE -> encounters.extraResult(STANDARD_TESTS.get(random.nextInt(2)));
          case TITER -> encounters.extraResult(STANDARD_TESTS.get(2));
          case CENSORED -> encounters.extraResult(censoredTest);
          case TEXT, FLAG_VARIANT -> encounters.nextResult();
          case UNIT_SPELLING -> encounters.extraResult(pick(spelledTests));
          case UNMAPPED_CODE -> encounters.extraResult(pick(UNMAPPED_ITEMS));
          case UNKNOWN_CODE -> encounters.extraResult(pick(UNKNOWN_ITEMS));
        };
    layout.format(result, month, fields);
    int resultIndex = layout.index(Role.RESULT);
    int flagIndex = layout.index(Role.FLAG);
    switch (kind) {
      case ORDINAL -> {
        String grade = weighted(GRADES);
        fields[resultIndex] = grade;
        fields[flagIndex] = layout.flag(grade.equals("NEG") ? Flag.NORMAL : Flag.ABNORMAL);
      }
      case RANGE -> {
        String count = weighted(SEDIMENT_COUNTS);
        double low = Double.parseDouble(count.substring(0, count.indexOf('-')));
        fields[resultIndex] = count;
        fields[flagIndex] =
            layout.flag(low >= result.test().range(Sex.FEMALE).high() ? Flag.HIGH : Flag.NORMAL);
      }
      case TITER -> {
        String titer = weighted(TITERS);
        boolean positive = !titer.startsWith("<") && Integer.parseInt(titer.substring(2)) >= 160;
        fields[resultIndex] = titer;
        fields[flagIndex] = layout.flag(positive ? Flag.ABNORMAL : Flag.NORMAL);
      }
      case CENSORED -> {
        fields[resultIndex] = ">" + (long) CENSORED_LIMIT;
        fields[flagIndex] =
            layout.flag(result.test().range(result.patient().sex()).flag(CENSORED_LIMIT));
      }
      case TEXT -> {
        fields[resultIndex] = FREE_TEXT.get(random.nextInt(FREE_TEXT.size()));
        fields[flagIndex] = "";
      }
      case UNIT_SPELLING -> {
        // no unit means the canonical one, so only a hospital that reports in it may leave it out
        int unitIndex = layout.index(Role.UNIT);
        String unit = fields[unitIndex];
        boolean canonical = layout.localUnit(result.test()).isEmpty();
        fields[unitIndex] =
            canonical && random.nextDouble() < NO_UNIT_SHARE
                ? ""
                : SPELLINGS.getOrDefault(unit, unit);
      }
      case FLAG_VARIANT -> fields[flagIndex] = layout.flagVariant(result.flag(), random);
      case UNMAPPED_CODE, UNKNOWN_CODE -> {
        // the local item as the hospital's system writes it
      }
    }
    return new Shaped(kind, result);
  }

  private Kind chooseKind() {
    double target = random.nextDouble() * totalWeight;
    for (Kind kind : kinds) {
      target -= kind.weight;
      if (target < 0) {
        return kind;
      }
    }
    return kinds.get(kinds.size() - 1);
  }

  private <T> T pick(List<T> items) {
    return items.get(random.nextInt(items.size()));
  }

  private String weighted(List<TextResult> results) {
    double target = random.nextDouble();
    for (TextResult result : results) {
      target -= result.weight();
      if (target < 0) {
        return result.value();
      }
    }
    return results.get(results.size() - 1).value();
  }

  private static LabTest test(LabTestCatalog catalog, String code) {
    return catalog
        .test(code)
        .orElseThrow(() -> new IllegalStateException("The catalogue has no test " + code));
  }

  private static double molarMass(LabTestCatalog catalog, String code) {
    return catalog
        .molarMass(code)
        .orElseThrow(() -> new IllegalStateException("The catalogue has no molar mass of " + code));
  }

  /** A positive, log-normal numeric test outside the catalogue, so without plausible bounds. */
  private static LabTest numeric(
      String code, String name, String unit, Range range, double mean, int decimals) {
    Parameters parameters = new Parameters(mean, mean / 2);
    return new LabTest(
        code,
        name,
        unit,
        range,
        range,
        0,
        Double.POSITIVE_INFINITY,
        Distribution.LOG_NORMAL,
        Double.NaN,
        parameters,
        parameters,
        decimals,
        List.of());
  }

  private static LabTest text(String code, String name, List<TextResult> results) {
    Parameters none = new Parameters(0, 0);
    return new LabTest(
        code,
        name,
        "",
        Range.NONE,
        Range.NONE,
        Double.NEGATIVE_INFINITY,
        Double.POSITIVE_INFINITY,
        Distribution.CATEGORICAL,
        Double.NaN,
        none,
        none,
        0,
        results);
  }

  /** The shapes, with their weights among a file's shaped rows. */
  enum Kind {
    ORDINAL(3, false),
    RANGE(2, false),
    TITER(1, false),
    CENSORED(1, false),
    TEXT(2, false),
    UNIT_SPELLING(2, false),
    FLAG_VARIANT(3, false),
    UNMAPPED_CODE(6, true),
    UNKNOWN_CODE(2, true);

    private final double weight;
    private final boolean needsLocalCodes;

    Kind(double weight, boolean needsLocalCodes) {
      this.weight = weight;
      this.needsLocalCodes = needsLocalCodes;
    }
  }

  /** The kind of a shaped row and the result it was drawn from. */
  record Shaped(Kind kind, LabResult result) {
    Shaped {
      requireNonNull(kind, "kind is null");
      requireNonNull(result, "result is null");
    }
  }
}
