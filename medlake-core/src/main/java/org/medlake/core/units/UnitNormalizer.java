package org.medlake.core.units;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads unit strings as hospitals write them ({@code mg/dL}, {@code MG/DL}, {@code mmol/l}, {@code
 * µg/mL}, {@code mcg/mL}, {@code K/uL}, {@code 10^3/uL}, {@code x10E3/uL}, {@code IU/L}, {@code
 * mEq/L}, {@code mmHg}, {@code sec}, {@code ratio}) into UCUM expressions.
 *
 * <p>In order: blank text is {@link NormalizedUnit.Form#ABSENT}; a few whole spellings are aliases
 * ({@code mmHg} is {@code mm[Hg]}); {@code µ}, {@code μ} and {@code mc} mean micro ({@code u});
 * {@code 10^3}, {@code 10E3}, {@code x10^3} and superscript powers are {@code 10*3}; a leading
 * {@code K/}, {@code M/}, {@code G/} or {@code T/} is a count of {@code 10*3}, {@code 10*6}, {@code
 * 10*9} or {@code 10*12} (not kelvin, gauss or tesla); then every component is matched
 * case-insensitively against the prefixes and units used in laboratories ({@code MG} is milligram,
 * never megagram; {@code IU} is {@code [IU]}; {@code l} is {@code L}). What is valid UCUM after
 * that is returned; otherwise the text is returned as valid UCUM if it is. A unit followed by a
 * word ({@code ng/mL FEU}) is the unit annotated with the word ({@code ng/mL{FEU}}). Anything else
 * is {@link NormalizedUnit.Form#NOT_UNDERSTOOD}.
 */
public final class UnitNormalizer {
  private static final int MAX_LENGTH = 100;

  /** Whole spellings, lower case and without white space, that are not derivable by the rules. */
  private static final Map<String, String> ALIASES =
      Map.ofEntries(
          Map.entry("mmhg", "mm[Hg]"),
          Map.entry("cmh2o", "cm[H2O]"),
          Map.entry("ratio", "{ratio}"),
          Map.entry("index", "{index}"),
          Map.entry("inr", "{INR}"),
          Map.entry("thou/ul", "10*3/uL"),
          Map.entry("thou/mm3", "10*3/mm3"),
          Map.entry("mil/ul", "10*6/uL"),
          Map.entry("mill/ul", "10*6/uL"),
          Map.entry("mil/mm3", "10*6/mm3"),
          Map.entry("ml/min/1.73m2", "mL/min/{1.73_m2}"));

  /** Units matched case-insensitively in a component, by their lower-case spelling. */
  private static final Map<String, String> UNITS =
      Map.ofEntries(
          Map.entry("g", "g"),
          Map.entry("gm", "g"),
          Map.entry("l", "L"),
          Map.entry("mol", "mol"),
          Map.entry("eq", "eq"),
          Map.entry("osm", "osm"),
          Map.entry("kat", "kat"),
          Map.entry("u", "U"),
          Map.entry("iu", "[IU]"),
          Map.entry("[iu]", "[IU]"),
          Map.entry("m", "m"),
          Map.entry("m[hg]", "m[Hg]"),
          Map.entry("m[h2o]", "m[H2O]"),
          Map.entry("s", "s"),
          Map.entry("sec", "s"),
          Map.entry("secs", "s"),
          Map.entry("min", "min"),
          Map.entry("h", "h"),
          Map.entry("hr", "h"),
          Map.entry("hrs", "h"),
          Map.entry("d", "d"),
          Map.entry("wk", "wk"),
          Map.entry("mo", "mo"),
          Map.entry("%", "%"),
          Map.entry("ph", "[pH]"),
          Map.entry("[ph]", "[pH]"),
          Map.entry("hpf", "[HPF]"),
          Map.entry("[hpf]", "[HPF]"),
          Map.entry("lpf", "[LPF]"),
          Map.entry("[lpf]", "[LPF]"),
          Map.entry("cells", "{cells}"));

  /** The units above that take a metric prefix. */
  private static final Set<String> METRIC =
      Set.of("g", "L", "mol", "eq", "osm", "kat", "U", "[IU]", "m", "m[Hg]", "m[H2O]", "s");

  /** Prefixes used in laboratories, by lower-case spelling; all are unambiguous when lower case. */
  private static final Map<String, String> PREFIXES =
      Map.of(
          "mc", "u", "k", "k", "d", "d", "c", "c", "m", "m", "u", "u", "n", "n", "p", "p", "f",
          "f");

  private static final Pattern POWER_OF_TEN =
      Pattern.compile("(?i)(?<![0-9.])x?10(?:\\^|\\*|e)([+-]?\\d+)");
  private static final Pattern CARET_EXPONENT = Pattern.compile("(?<=[A-Za-z\\]])\\^([+-]?\\d+)");
  private static final Pattern COUNT_PREFIX = Pattern.compile("^(K|k|M|G|T)/");
  private static final Map<String, String> COUNTS =
      Map.of("K", "10*3", "k", "10*3", "M", "10*6", "G", "10*9", "T", "10*12");
  private static final Pattern NUMBER = Pattern.compile("\\d+|10\\*[+-]?\\d+");
  private static final Pattern WITH_EXPONENT = Pattern.compile("(.*?)([+-]?\\d+)?");

  /**
   * A unit followed by a word that is not a unit itself, as in {@code ng/mL FEU}: the word becomes
   * an annotation ({@code mg dL} is not read as {@code mg{dL}}).
   */
  private static final Pattern QUALIFIER = Pattern.compile("(\\S+)\\s+([A-Za-z]{2,12})");

  private static final String SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹";

  private final Ucum ucum;

  UnitNormalizer(Ucum ucum) {
    this.ucum = requireNonNull(ucum, "ucum is null");
  }

  /** A normalizer over the UCUM definitions shared in this JVM (loaded on the first call). */
  public static UnitNormalizer create() {
    return new UnitNormalizer(Ucum.shared());
  }

  /**
   * Reads {@code written}: a UCUM expression, the written text (trimmed) if not understood, or
   * absent.
   */
  public NormalizedUnit normalize(String written) {
    requireNonNull(written, "written is null");
    String trimmed = written.strip();
    if (trimmed.isEmpty()) {
      return NormalizedUnit.absent();
    }
    if (trimmed.length() > MAX_LENGTH) {
      return NormalizedUnit.notUnderstood(trimmed);
    }
    Optional<String> understood = understand(trimmed);
    if (understood.isPresent()) {
      return NormalizedUnit.ucum(understood.get());
    }
    Matcher qualified = QUALIFIER.matcher(trimmed);
    if (qualified.matches()) {
      Optional<String> unit = understand(qualified.group(1));
      boolean wordIsUnit = understand(qualified.group(2)).isPresent();
      if (unit.isPresent()
          && !wordIsUnit
          && ucum.isValid(unit.get() + "{" + qualified.group(2) + "}")) {
        return NormalizedUnit.ucum(unit.get() + "{" + qualified.group(2) + "}");
      }
    }
    return NormalizedUnit.notUnderstood(trimmed);
  }

  private Optional<String> understand(String trimmed) {
    String compact = compact(trimmed);
    String alias = ALIASES.get(compact.toLowerCase(Locale.ROOT));
    if (alias != null) {
      return Optional.of(alias);
    }
    String candidate = POWER_OF_TEN.matcher(compact).replaceAll("10*$1");
    candidate = CARET_EXPONENT.matcher(candidate).replaceAll("$1");
    Matcher count = COUNT_PREFIX.matcher(candidate);
    if (count.find()) {
      candidate = COUNTS.get(count.group(1)) + candidate.substring(count.end() - 1);
    }
    Optional<String> cased = caseInsensitive(candidate);
    if (cased.isPresent() && ucum.isValid(cased.get())) {
      return cased;
    }
    return ucum.isValid(candidate) ? Optional.of(candidate) : Optional.empty();
  }

  /** Without white space, with micro signs as {@code u} and superscript exponents as {@code ^n}. */
  private static String compact(String text) {
    StringBuilder compact = new StringBuilder(text.length());
    boolean superscript = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      int digit = SUPERSCRIPTS.indexOf(c);
      if (digit >= 0 || c == '⁻') {
        if (!superscript) {
          compact.append('^');
        }
        compact.append(digit >= 0 ? (char) ('0' + digit) : '-');
        superscript = true;
        continue;
      }
      superscript = false;
      if (Character.isWhitespace(c)) {
        continue;
      }
      compact.append(
          switch (c) {
            case '\u00b5', '\u03bc' -> 'u';
            case '\u00d7' -> 'x';
            default -> c;
          });
    }
    return compact.toString();
  }

  /**
   * Every component of {@code unit} (between {@code /} and {@code .}) spelled as UCUM writes the
   * laboratory units above, or empty when a component is not one of them.
   */
  private static Optional<String> caseInsensitive(String unit) {
    StringBuilder result = new StringBuilder(unit.length());
    List<String> parts = split(unit);
    for (int i = 0; i < parts.size(); i++) {
      String part = parts.get(i);
      if (i % 2 == 1) {
        result.append(part);
        continue;
      }
      if (part.isEmpty() && i == 0 && parts.size() > 1 && parts.get(1).equals("/")) {
        continue;
      }
      Optional<String> component = component(part);
      if (component.isEmpty()) {
        return Optional.empty();
      }
      result.append(component.get());
    }
    return Optional.of(result.toString());
  }

  /**
   * Components and operators alternately, split at {@code /} and {@code .} outside braces and
   * brackets.
   */
  private static List<String> split(String unit) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < unit.length(); i++) {
      char c = unit.charAt(i);
      if (c == '{' || c == '[') {
        depth++;
      } else if ((c == '}' || c == ']') && depth > 0) {
        depth--;
      } else if (depth == 0 && (c == '/' || c == '.')) {
        parts.add(unit.substring(start, i));
        parts.add(String.valueOf(c));
        start = i + 1;
      }
    }
    parts.add(unit.substring(start));
    return parts;
  }

  private static Optional<String> component(String component) {
    String annotation = "";
    String body = component;
    int brace = component.indexOf('{');
    if (brace >= 0) {
      annotation = component.substring(brace);
      body = component.substring(0, brace);
      if (!annotation.endsWith("}") || annotation.indexOf('{', 1) >= 0) {
        return Optional.empty();
      }
      if (body.isEmpty()) {
        return Optional.of(annotation);
      }
    }
    if (NUMBER.matcher(body).matches()) {
      return Optional.of(body + annotation);
    }
    Matcher parts = WITH_EXPONENT.matcher(body);
    if (!parts.matches() || parts.group(1).isEmpty()) {
      return Optional.empty();
    }
    String suffix = (parts.group(2) == null ? "" : parts.group(2)) + annotation;
    return unit(parts.group(1).toLowerCase(Locale.ROOT)).map(unit -> unit + suffix);
  }

  private static Optional<String> unit(String lowerCase) {
    String unit = UNITS.get(lowerCase);
    if (unit != null) {
      return Optional.of(unit);
    }
    for (int length = 2; length >= 1; length--) {
      if (lowerCase.length() <= length) {
        continue;
      }
      String prefix = PREFIXES.get(lowerCase.substring(0, length));
      String prefixed = UNITS.get(lowerCase.substring(length));
      if (prefix != null && prefixed != null && METRIC.contains(prefixed)) {
        return Optional.of(prefix + prefixed);
      }
    }
    return Optional.empty();
  }
}
