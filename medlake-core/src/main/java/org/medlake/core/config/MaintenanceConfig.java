package org.medlake.core.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;

/**
 * Table maintenance ({@code medlake maintain}).
 *
 * @param keepDays snapshots younger than this are kept; older ones are expired unless they are a
 *     monthly release
 * @param orphanMinAgeHours files no snapshot references are deleted only when older than this (a
 *     write may be in flight)
 * @param compactBelowBytes data files smaller than this are merged with the other small files of
 *     their partition
 */
public record MaintenanceConfig(int keepDays, int orphanMinAgeHours, long compactBelowBytes) {
  public MaintenanceConfig {
    IngestConfig.positive("maintenance.keep-days", keepDays);
    IngestConfig.positive("maintenance.orphan-min-age-hours", orphanMinAgeHours);
    IngestConfig.positive("maintenance.compact-below-bytes", compactBelowBytes);
  }

  public static MaintenanceConfig defaults() {
    return new MaintenanceConfig(7, 24, 64_000_000L);
  }

  public Duration keep() {
    return Duration.ofDays(keepDays);
  }

  public Duration orphanMinAge() {
    return Duration.ofHours(orphanMinAgeHours);
  }

  @JsonCreator
  static MaintenanceConfig fromYaml(
      @JsonProperty("keep-days") Integer keepDays,
      @JsonProperty("orphan-min-age-hours") Integer orphanMinAgeHours,
      @JsonProperty("compact-below-bytes") String compactBelowBytes) {
    MaintenanceConfig defaults = defaults();
    return new MaintenanceConfig(
        keepDays == null ? defaults.keepDays() : keepDays,
        orphanMinAgeHours == null ? defaults.orphanMinAgeHours() : orphanMinAgeHours,
        compactBelowBytes == null
            ? defaults.compactBelowBytes()
            : ByteSize.parse("maintenance.compact-below-bytes", compactBelowBytes));
  }
}
