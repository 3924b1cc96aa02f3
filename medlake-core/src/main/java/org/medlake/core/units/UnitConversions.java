package org.medlake.core.units;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Converts the units tests are written in into the tests' canonical units of the test catalog: by
 * UCUM, and between mass, substance and equivalent concentrations with the catalog's molar mass and
 * valence of the test. Meant to be called once per distinct (test code, unit) pair of a file.
 *
 * <p>UCUM counts moles and equivalents as plain numbers (a mole is 6.022e23), so it would convert
 * {@code mmol/mol} into {@code %} or {@code 10*3/uL} into {@code mmol/L}; here a unit of substance
 * ({@code mol}, {@code kat}, {@code osm}, the enzyme unit {@code U}) or of equivalents ({@code eq})
 * converts only into a unit of the same kind, or through the test's molar mass (mass to substance)
 * or valence (equivalents to substance). Annotations that differ on both sides ({@code ng/mL{DDU}}
 * against {@code ng/mL{FEU}}) make a unit incompatible; UCUM ignores them. {@code [IU]} and {@code
 * U} are taken as the same unit when the canonical unit has the other: the enzyme unit was
 * introduced as the international unit of enzyme activity, and laboratories write {@code mU/L} and
 * {@code mIU/L} for the same thyrotropin.
 */
public final class UnitConversions {
  private static final MathContext PRECISION = MathContext.DECIMAL64;
  private static final String PREFIX = "(?<![A-Za-z\\[])([kmunpfdc]?)";
  private static final Pattern SUBSTANCE =
      Pattern.compile(PREFIX + "(mol|kat|osm|U)(?![A-Za-z\\]])");
  private static final Pattern EQUIVALENTS = Pattern.compile(PREFIX + "eq(?![A-Za-z\\]])");
  private static final Pattern ENZYME_UNIT = Pattern.compile(PREFIX + "U(?![A-Za-z\\]])");
  private static final Pattern ANNOTATION = Pattern.compile("\\{[^}]*}");

  /** What a unit counts, as far as UCUM cannot tell. */
  private enum Amount {
    NONE,
    SUBSTANCE,
    EQUIVALENTS
  }

  private final Ucum ucum;
  private final UnitNormalizer normalizer;
  private final LabTestUnits catalog;

  UnitConversions(Ucum ucum, LabTestUnits catalog) {
    this.ucum = requireNonNull(ucum, "ucum is null");
    this.normalizer = new UnitNormalizer(ucum);
    this.catalog = requireNonNull(catalog, "catalog is null");
  }

  /**
   * Conversions into the units of {@code catalog}, over the UCUM definitions shared in this JVM.
   */
  public UnitConversions(LabTestUnits catalog) {
    this(Ucum.shared(), catalog);
  }

  /** Conversions into the units of the built-in test catalog. */
  public static UnitConversions load() {
    return new UnitConversions(LabTestUnits.load());
  }

  /**
   * How values of test {@code testCode} written in {@code writtenUnit} convert to its canonical
   * unit.
   */
  public UnitConversion convert(String testCode, String writtenUnit) {
    requireNonNull(testCode, "testCode is null");
    NormalizedUnit written = normalizer.normalize(writtenUnit);
    Optional<LabTestUnit> test = catalog.test(testCode.strip()).filter(LabTestUnit::hasUnit);
    if (test.isEmpty()) {
      return UnitConversion.notConvertible(written.unit(), "", UnitStatus.NO_CANONICAL_UNIT);
    }
    String canonical = test.get().unit();
    return switch (written.form()) {
      case ABSENT -> UnitConversion.convertible("", canonical, 1, UnitStatus.ASSUMED_CANONICAL);
      case NOT_UNDERSTOOD ->
          UnitConversion.notConvertible(written.unit(), canonical, UnitStatus.UNKNOWN_UNIT);
      case UCUM -> {
        if (written.unit().equals(canonical)) {
          yield UnitConversion.convertible(canonical, canonical, 1, UnitStatus.CANONICAL);
        }
        yield factor(written.unit(), test.get())
            .map(
                factor ->
                    UnitConversion.convertible(
                        written.unit(), canonical, factor.doubleValue(), UnitStatus.CONVERTED))
            .orElseGet(
                () ->
                    UnitConversion.notConvertible(
                        written.unit(), canonical, UnitStatus.INCOMPATIBLE_UNIT));
      }
    };
  }

  /**
   * The unit of a result without a test code: normalized, with status {@link
   * UnitStatus#NO_CANONICAL_UNIT}.
   */
  public UnitConversion withoutTest(String writtenUnit) {
    return UnitConversion.notConvertible(
        normalizer.normalize(writtenUnit).unit(), "", UnitStatus.NO_CANONICAL_UNIT);
  }

  /** The factor from UCUM unit {@code from} into the test's canonical unit, if there is one. */
  private Optional<BigDecimal> factor(String from, LabTestUnit test) {
    String to = test.unit();
    if (annotationsDiffer(from, to)) {
      return Optional.empty();
    }
    String unit = asEnzymeUnit(from, to);
    Amount amount = amount(unit);
    Amount target = amount(to);
    BigDecimal factor = BigDecimal.ONE;
    if (amount == Amount.EQUIVALENTS && target != Amount.EQUIVALENTS) {
      if (!test.hasValence()) {
        return Optional.empty();
      }
      // UCUM's eq is one mol: only the division by the charge is left.
      factor = factor.divide(BigDecimal.valueOf(test.valence()), PRECISION);
      amount = Amount.SUBSTANCE;
    }
    if (amount == Amount.SUBSTANCE && target == Amount.NONE) {
      if (!test.hasMolarMass()) {
        return Optional.empty();
      }
      unit = "(" + leadingOne(unit) + ").g/mol";
      factor = factor.multiply(BigDecimal.valueOf(test.molarMass()), PRECISION);
      amount = Amount.NONE;
    } else if (amount == Amount.NONE && target != Amount.NONE) {
      if (!test.hasMolarMass()) {
        return Optional.empty();
      }
      unit = "(" + leadingOne(unit) + ").mol/g";
      factor = factor.divide(BigDecimal.valueOf(test.molarMass()), PRECISION);
      amount = Amount.SUBSTANCE;
    }
    if (amount == Amount.SUBSTANCE && target == Amount.EQUIVALENTS) {
      if (!test.hasValence()) {
        return Optional.empty();
      }
      factor = factor.multiply(BigDecimal.valueOf(test.valence()), PRECISION);
      amount = Amount.EQUIVALENTS;
    }
    BigDecimal molar = factor;
    return ucum.factor(unit, to).map(ucumFactor -> ucumFactor.multiply(molar, PRECISION));
  }

  private static Amount amount(String unit) {
    String withoutAnnotations = ANNOTATION.matcher(unit).replaceAll("");
    if (EQUIVALENTS.matcher(withoutAnnotations).find()) {
      return Amount.EQUIVALENTS;
    }
    return SUBSTANCE.matcher(withoutAnnotations).find() ? Amount.SUBSTANCE : Amount.NONE;
  }

  /** {@code from} with {@code [IU]} as {@code U}, or the other way round, to match {@code to}. */
  private static String asEnzymeUnit(String from, String to) {
    boolean toArbitrary = to.contains("[IU]");
    boolean toEnzyme = ENZYME_UNIT.matcher(to).find();
    if (toEnzyme && !toArbitrary && from.contains("[IU]")) {
      return from.replace("[IU]", "U");
    }
    Matcher enzyme = ENZYME_UNIT.matcher(from);
    if (toArbitrary && !toEnzyme && enzyme.find()) {
      return enzyme.replaceAll("$1[IU]");
    }
    return from;
  }

  /** Whether both units carry annotations on a unit (not a bare {@code {INR}}) and these differ. */
  private static boolean annotationsDiffer(String from, String to) {
    Set<String> fromAnnotations = annotations(from);
    Set<String> toAnnotations = annotations(to);
    return !fromAnnotations.isEmpty()
        && !toAnnotations.isEmpty()
        && !fromAnnotations.equals(toAnnotations);
  }

  private static Set<String> annotations(String unit) {
    Set<String> annotations = new TreeSet<>();
    if (ANNOTATION.matcher(unit).matches()) {
      return annotations;
    }
    Matcher matcher = ANNOTATION.matcher(unit);
    while (matcher.find()) {
      annotations.add(matcher.group().toLowerCase(Locale.ROOT));
    }
    return annotations;
  }

  /** A UCUM term that can stand in parentheses: {@code /uL} as {@code 1/uL}. */
  private static String leadingOne(String unit) {
    return unit.startsWith("/") ? "1" + unit : unit;
  }
}
