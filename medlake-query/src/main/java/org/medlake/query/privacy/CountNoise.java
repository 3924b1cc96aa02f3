package org.medlake.query.privacy;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.medlake.core.config.QueryConfig.Obfuscation;
import org.medlake.query.result.ResultTable;

/**
 * Count obfuscation against differencing (i2b2/SHRINE style): a count shown to an aggregate-only
 * caller is the true count plus noise, normal with standard deviation {@code query.noise-sd} and
 * cut at plus or minus {@code query.noise-bound}, then rounded to a multiple of {@code
 * query.round-to} (never below zero). Subtracting two overlapping windows then gives the hidden
 * cell plus the difference of two noises, so a small cell is no longer recovered exactly.
 *
 * <p>The noise is not random per request: it is derived from HMAC-SHA256 of a server secret and the
 * cell, that is the column, the row's group values and the true count. The same cell therefore gets
 * the same noise whichever query, rewrite, cache state, server or as-of snapshot it is asked
 * through, so repeating or rephrasing a query does not average the noise away; only cells whose
 * true count differs get independent noise. The secret comes from {@link #keyFrom(byte[])} (derived
 * from the pseudonym key, so every server of an installation agrees) or, without one, is random per
 * process.
 */
public final class CountNoise {
  private static final byte[] PROCESS_KEY = new SecureRandom().generateSeed(32);
  private static final byte[] DOMAIN =
      "medlake query count noise v1".getBytes(StandardCharsets.UTF_8);

  private final Obfuscation settings;
  private final byte[] key;

  public CountNoise(Obfuscation settings, byte[] key) {
    this.settings = requireNonNull(settings, "settings is null");
    this.key = requireNonNull(key, "key is null").clone();
    if (key.length < 16) {
      throw new IllegalArgumentException(
          "the noise key must have at least 16 bytes, got " + key.length);
    }
  }

  /**
   * With a key random to this process: the same answers until it ends (tests, one-off CLI runs).
   */
  public static CountNoise perProcess(Obfuscation settings) {
    return new CountNoise(settings, PROCESS_KEY);
  }

  /**
   * The noise secret of an installation: HMAC-SHA256 of its pseudonym key, domain-separated from
   * its other uses.
   */
  public static byte[] keyFrom(byte[] pseudonymKey) {
    return hmac(pseudonymKey, DOMAIN);
  }

  public Obfuscation settings() {
    return settings;
  }

  /** For the cache key: answers under other settings are not the same answers. */
  public String policy() {
    return settings.enabled()
        ? " noise=" + settings.noiseSd() + "/" + settings.noiseBound() + "/" + settings.roundTo()
        : "";
  }

  /**
   * The published value of a true count {@code count} in column {@code column} of the row with
   * group values {@code group}.
   */
  public long perturb(long count, String column, List<Object> group) {
    if (!settings.enabled()) {
      return count;
    }
    long noisy = count + noise(count, column, group);
    int step = settings.roundTo();
    long rounded = step == 1 ? noisy : Math.round(noisy / (double) step) * step;
    return Math.max(0, rounded);
  }

  /**
   * The table with every visible count perturbed: the cells of {@code countColumns} holding
   * integers, in the rows not in {@code suppressedRows} (those stay null).
   */
  public ResultTable apply(
      ResultTable table,
      List<String> groupColumns,
      Set<String> countColumns,
      List<Integer> suppressedRows) {
    if (!settings.enabled()) {
      return table;
    }
    int[] groups = groupColumns.stream().mapToInt(table::columnIndex).toArray();
    List<Integer> counts = new ArrayList<>();
    for (int column = 0; column < table.columns().size(); column++) {
      if (countColumns.contains(table.columns().get(column).name())) {
        counts.add(column);
      }
    }
    Set<Integer> hidden = new java.util.HashSet<>(suppressedRows);
    List<List<Object>> rows = new ArrayList<>(table.rows().size());
    for (int row = 0; row < table.rows().size(); row++) {
      List<Object> cells = table.rows().get(row);
      if (counts.isEmpty() || hidden.contains(row)) {
        rows.add(cells);
        continue;
      }
      List<Object> group = new ArrayList<>(groups.length);
      for (int index : groups) {
        group.add(cells.get(index));
      }
      List<Object> shown = new ArrayList<>(cells);
      for (int column : counts) {
        Object value = cells.get(column);
        Long count =
            value instanceof Long
                    || value instanceof Integer
                    || value instanceof Short
                    || value instanceof Byte
                ? Long.valueOf(((Number) value).longValue())
                : value instanceof BigInteger big && big.bitLength() < Long.SIZE
                    ? Long.valueOf(big.longValue())
                    : null;
        if (count != null) {
          shown.set(column, perturb(count, table.columns().get(column).name(), group));
        }
      }
      rows.add(shown);
    }
    return new ResultTable(table.columns(), rows);
  }

  /**
   * An integer in [-bound, bound] from a normal of the configured deviation, seeded by the cell.
   */
  private long noise(long count, String column, List<Object> group) {
    if (settings.noiseSd() == 0 || settings.noiseBound() == 0) {
      return 0;
    }
    StringBuilder cell = new StringBuilder(column);
    for (Object value : group) {
      // type and value: 2024 the number and "2024" the text are different cells
      cell.append('\0')
          .append(value == null ? "null" : value.getClass().getSimpleName() + ":" + value);
    }
    cell.append('\0').append(count);
    ByteBuffer digest =
        ByteBuffer.wrap(hmac(key, cell.toString().getBytes(StandardCharsets.UTF_8)));
    // two uniforms in (0, 1] and [0, 1) from 53 bits each; Box-Muller
    double u1 = ((digest.getLong() >>> 11) + 1) / (double) (1L << 53);
    double u2 = (digest.getLong() >>> 11) / (double) (1L << 53);
    double normal = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    long noise = Math.round(normal * settings.noiseSd());
    return Math.max(-settings.noiseBound(), Math.min(settings.noiseBound(), noise));
  }

  private static byte[] hmac(byte[] key, byte[] message) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(message);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }
}
