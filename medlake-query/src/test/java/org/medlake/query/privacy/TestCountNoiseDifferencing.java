package org.medlake.query.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.medlake.core.config.QueryConfig.Obfuscation;
import org.medlake.query.result.ResultColumn;
import org.medlake.query.result.ResultTable;

/**
 * Issue 17 (c): differencing two overlapping date windows recovered a suppressed month exactly. In
 * random hospital x month tables, a month hidden by small-cell suppression in the per-month query
 * is attacked as the difference of two window totals that differ by that month (both large enough
 * to be shown). Without obfuscation the difference is the hidden count every time; with the default
 * obfuscation it is wrong in most trials and never pins the count down: several hidden counts below
 * k stay consistent with what was published. Seeded, so reproducible.
 */
class TestCountNoiseDifferencing {
  private static final int K = 11;
  private static final int TRIALS = 2000;
  private static final byte[] KEY =
      "a fixed test secret of 32 bytes.".getBytes(StandardCharsets.UTF_8);

  @Test
  void withoutObfuscationEveryHiddenMonthIsRecovered() {
    Attack attack = attack(new CountNoise(new Obfuscation(0, 0, 1), KEY), 42);
    assertThat(attack.trials).isEqualTo(TRIALS);
    assertThat(attack.exact).isEqualTo(TRIALS);
    assertThat(attack.certain).isEqualTo(TRIALS);
  }

  @Test
  void withTheDefaultObfuscationHiddenMonthsAreNotRecovered() {
    Obfuscation defaults = Obfuscation.defaults();
    Attack attack = attack(new CountNoise(defaults, KEY), 42);
    assertThat(attack.trials).isEqualTo(TRIALS);
    assertThat(attack.exact)
        .as("trials where the difference equals the hidden count")
        .isLessThan(TRIALS / 4);
    assertThat(attack.certain)
        .as("trials where only one hidden count fits the published totals")
        .isZero();
    // another secret, other noise: the same bounds hold
    Attack other =
        attack(
            new CountNoise(
                defaults, "another secret of at least 16 b".getBytes(StandardCharsets.UTF_8)),
            7);
    assertThat(other.exact).isLessThan(TRIALS / 4);
    assertThat(other.certain).isZero();
  }

  @Test
  void theSameCellAlwaysGetsTheSameAnswerSoRepeatingDoesNotAverageTheNoiseAway() {
    CountNoise noise = new CountNoise(Obfuscation.defaults(), KEY);
    long first = noise.perturb(237, "patients", List.of("H001"));
    for (int i = 0; i < 100; i++) {
      assertThat(noise.perturb(237, "patients", List.of("H001"))).isEqualTo(first);
    }
    assertThat(first % 5).isZero();
    assertThat(first).isBetween(237L - 8, 237L + 8);
  }

  private record Attack(int trials, int exact, int certain) {}

  /**
   * Each trial: one hospital, 12 months; month {@code m} has fewer than k patients, the others k to
   * 400. The per-month table (suppressed) hides month m; the attacker then asks two window totals,
   * months m..11 and m+1..11, each one row grouped by hospital, and subtracts.
   */
  private static Attack attack(CountNoise noise, long seed) {
    Random random = new Random(seed);
    SmallCellSuppressor suppressor = new SmallCellSuppressor(K);
    int exact = 0;
    int certain = 0;
    int trials = 0;
    while (trials < TRIALS) {
      String hospital = "H" + (100 + random.nextInt(900));
      long[] months = new long[12];
      int small = random.nextInt(11);
      for (int month = 0; month < 12; month++) {
        months[month] = month == small ? 1 + random.nextInt(K - 1) : K + random.nextInt(390);
      }
      // the per-month answer hides the small month (and its complement)
      List<List<Object>> perMonth = new ArrayList<>();
      for (int month = 0; month < 12; month++) {
        perMonth.add(List.of(hospital, "2024-%02d".formatted(month + 1), months[month]));
      }
      ResultTable monthly = new ResultTable(columns("month"), perMonth);
      SuppressedResult suppressed =
          suppressor.suppress(monthly, List.of("hospital_id", "month"), "patients", List.of());
      assertThat(suppressed.isSuppressed(small)).isTrue();

      long wide = 0;
      long narrow = 0;
      for (int month = small; month < 12; month++) {
        wide += months[month];
        narrow += month == small ? 0 : months[month];
      }
      long shownWide = shown(noise, suppressor, hospital, wide);
      long shownNarrow = shown(noise, suppressor, hospital, narrow);
      long hidden = months[small];
      if (shownWide - shownNarrow == hidden) {
        exact++;
      }
      if (consistentHiddenCounts(noise, shownWide, shownNarrow) == 1) {
        certain++;
      }
      trials++;
    }
    return new Attack(trials, exact, certain);
  }

  /**
   * A window total as a viewer sees it: one row grouped by hospital, suppressed, then obfuscated.
   */
  private static long shown(
      CountNoise noise, SmallCellSuppressor suppressor, String hospital, long total) {
    ResultTable table = new ResultTable(columns(null), List.of(List.of(hospital, total)));
    SuppressedResult suppressed =
        suppressor.suppress(table, List.of("hospital_id"), "patients", List.of());
    ResultTable published =
        noise.apply(
            suppressed.table(),
            List.of("hospital_id"),
            Set.of("patients"),
            suppressed.suppressedRows());
    return (Long) published.rows().get(0).get(1);
  }

  /**
   * How many hidden counts 1..k-1 fit the two published totals for an attacker who knows the
   * mechanism (noise within the bound, then rounding) but not the secret.
   */
  private static int consistentHiddenCounts(CountNoise noise, long shownWide, long shownNarrow) {
    Obfuscation settings = noise.settings();
    int bound = settings.noiseSd() > 0 ? settings.noiseBound() : 0;
    int step = settings.roundTo();
    int consistent = 0;
    for (int hidden = 1; hidden < K; hidden++) {
      boolean fits = false;
      for (long narrow = Math.max(0, shownNarrow - bound - step);
          narrow <= shownNarrow + bound + step && !fits;
          narrow++) {
        fits =
            publishable(narrow, shownNarrow, bound, step)
                && publishable(narrow + hidden, shownWide, bound, step);
      }
      if (fits) {
        consistent++;
      }
    }
    return consistent;
  }

  /** Whether some noise within the bound turns {@code truth} into {@code shown} after rounding. */
  private static boolean publishable(long truth, long shown, int bound, int step) {
    for (int e = -bound; e <= bound; e++) {
      long noisy = truth + e;
      long rounded = step == 1 ? noisy : Math.round(noisy / (double) step) * step;
      if (Math.max(0, rounded) == shown) {
        return true;
      }
    }
    return false;
  }

  private static List<ResultColumn> columns(String month) {
    List<ResultColumn> columns = new ArrayList<>();
    columns.add(new ResultColumn("hospital_id", "VARCHAR"));
    if (month != null) {
      columns.add(new ResultColumn(month, "VARCHAR"));
    }
    columns.add(new ResultColumn("patients", "BIGINT"));
    return columns;
  }
}
