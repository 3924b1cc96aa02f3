package org.medlake.core.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.ValidationException;

/**
 * When an ingestion run is held instead of committed ({@code ingest.hold} in {@code medlake.yaml}):
 * a run that accepts no row of a file that has rows, rejects more than {@code maxRejectedShare} of
 * its rows, or would replace a hospital-month's stored rows by fewer than {@code minKeptShare} of
 * them. A held run commits nothing until the mapping is fixed and the file re-run, or an admin
 * approves it ({@code medlake runs approve}).
 *
 * @param enabled false turns the fail-safe off (an initial bulk load checked by other means)
 * @param maxRejectedShare a run that rejects more than this share of the rows it read is held (1
 *     never holds for it)
 * @param minKeptShare a replacement that keeps less than this share of the stored rows is held (0
 *     never holds for it)
 */
public record HoldConfig(boolean enabled, double maxRejectedShare, double minKeptShare) {
  public HoldConfig {
    share("ingest.hold.max-rejected-share", maxRejectedShare);
    share("ingest.hold.min-kept-share", minKeptShare);
  }

  public static HoldConfig defaults() {
    return new HoldConfig(true, 0.5, 0.5);
  }

  @JsonCreator
  static HoldConfig fromYaml(
      @JsonProperty("enabled") Boolean enabled,
      @JsonProperty("max-rejected-share") Double maxRejectedShare,
      @JsonProperty("min-kept-share") Double minKeptShare) {
    HoldConfig defaults = defaults();
    return new HoldConfig(
        enabled == null ? defaults.enabled() : enabled,
        maxRejectedShare == null ? defaults.maxRejectedShare() : maxRejectedShare,
        minKeptShare == null ? defaults.minKeptShare() : minKeptShare);
  }

  private static void share(String key, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new ValidationException(
          ErrorCode.INVALID_CONFIG,
          key
              + " must be a share between 0 and 1 (0.5 is 50 %), not "
              + String.format(Locale.ROOT, "%s", value));
    }
  }
}
