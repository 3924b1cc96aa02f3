package org.medlake.core.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Optional;

/**
 * Cron schedules (UNIX syntax: minute hour day-of-month month day-of-week, UTC) of the jobs that
 * {@code medlake watch}, or the server with {@code watch.enabled}, runs by itself. An empty
 * expression switches a job off. Expressions are checked when the scheduler starts.
 *
 * @param completenessCheck the monthly check for hospitals that have not delivered last month
 * @param maintenance table maintenance ({@code medlake maintain})
 */
public record ScheduleConfig(Optional<String> completenessCheck, Optional<String> maintenance) {
  public ScheduleConfig {
    completenessCheck = completenessCheck.filter(expression -> !expression.isBlank());
    maintenance = maintenance.filter(expression -> !expression.isBlank());
  }

  public static ScheduleConfig defaults() {
    return new ScheduleConfig(Optional.of("0 6 2 * *"), Optional.of("30 3 * * 0"));
  }

  @JsonCreator
  static ScheduleConfig fromYaml(
      @JsonProperty("completeness-check") String completenessCheck,
      @JsonProperty("maintenance") String maintenance) {
    ScheduleConfig defaults = defaults();
    return new ScheduleConfig(
        completenessCheck == null ? defaults.completenessCheck() : Optional.of(completenessCheck),
        maintenance == null ? defaults.maintenance() : Optional.of(maintenance));
  }
}
