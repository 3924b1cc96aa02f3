package org.medlake.core.units;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.util.Optional;
import java.util.regex.Pattern;
import org.fhir.ucum.Decimal;
import org.fhir.ucum.UcumEssenceService;
import org.fhir.ucum.UcumException;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;

/**
 * The UCUM definitions, loaded once per JVM on first use from the {@code ucum-essence.xml} bundled
 * in the org.fhir:ucum jar (about 0.1 s); nothing is downloaded. Calls are serialized because the
 * library does not document its service as thread-safe; callers make a few hundred per file.
 */
final class Ucum {
  static final String ESSENCE_RESOURCE = "/ucum-essence.xml";
  private static final Pattern BARE_POWER = Pattern.compile("10\\*(?![+-]?\\d)");

  private final UcumEssenceService service;

  private Ucum(UcumEssenceService service) {
    this.service = service;
  }

  /** The shared instance, loaded on first call. */
  static Ucum shared() {
    return Holder.INSTANCE;
  }

  private static final class Holder {
    private static final Ucum INSTANCE = load();
  }

  static Ucum load() {
    try (InputStream essence = UcumEssenceService.class.getResourceAsStream(ESSENCE_RESOURCE)) {
      if (essence == null) {
        throw new MedlakeException(
            ErrorCode.INTERNAL_ERROR,
            "Resource " + ESSENCE_RESOURCE + " is missing from the org.fhir:ucum jar");
      }
      return new Ucum(new UcumEssenceService(essence));
    } catch (IOException | UcumException e) {
      throw new MedlakeException(
          ErrorCode.INTERNAL_ERROR,
          "Cannot load the UCUM definitions " + ESSENCE_RESOURCE + ": " + e.getMessage(),
          e);
    }
  }

  /** The UCUM version of the loaded definitions, e.g. {@code 2.2}. */
  synchronized String version() {
    return service.ucumIdentification().getVersion();
  }

  /** Whether {@code unit} is a valid case-sensitive UCUM expression. */
  synchronized boolean isValid(String unit) {
    if (!wellFormed(unit)) {
      return false;
    }
    try {
      return service.validate(unit) == null;
    } catch (RuntimeException e) {
      // The library throws unchecked exceptions on some malformed input instead of reporting it.
      return false;
    }
  }

  /**
   * What the library's parser lets through although UCUM's grammar does not: an unopened {@code )},
   * an empty component ({@code mg//dL}), two annotations in a row, {@code 10*} without an exponent.
   */
  private static boolean wellFormed(String unit) {
    int depth = 0;
    for (int i = 0; i < unit.length(); i++) {
      char c = unit.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')' && --depth < 0) {
        return false;
      }
    }
    return depth == 0
        && !unit.contains("//")
        && !unit.contains("}{")
        && !BARE_POWER.matcher(unit).find();
  }

  /**
   * The factor that turns a value in {@code from} into a value in {@code to}, or empty when UCUM
   * cannot convert between them (different dimensions, or either is not valid UCUM).
   */
  synchronized Optional<BigDecimal> factor(String from, String to) {
    try {
      if (!service.isComparable(from, to)) {
        return Optional.empty();
      }
      Decimal factor = service.convert(new Decimal(1), from, to);
      return Optional.of(new BigDecimal(factor.asDecimal()));
    } catch (UcumException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
