package org.medlake.core.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Clock;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Cron schedules (UNIX syntax: minute hour day-of-month month day-of-week, UTC) of the jobs that
 * {@code medlake watch}, or the server with {@code watch.enabled}, runs by itself. An empty
 * expression switches a job off. Expressions are checked when the scheduler starts.
 *
 * @param completenessCheck the monthly check for hospitals that have not delivered last month
 * @param maintenance table maintenance ({@code medlake maintain})
 * @param completenessMonth the delivery month the completeness check expects when none is asked for
 *     (the scheduled check, {@code medlake runs --missing}, {@code GET /api/v1/deliveries/missing}
 *     and the web's banner); unset (production): last month, UTC. A lake of past data, such as the
 *     demo's, pins it to its newest month so that it does not warn about a month it never meant to
 *     hold.
 */
public record ScheduleConfig(
    Optional<String> completenessCheck,
    Optional<String> maintenance,
    Optional<YearMonth> completenessMonth) {
  public ScheduleConfig {
    completenessCheck = completenessCheck.filter(expression -> !expression.isBlank());
    maintenance = maintenance.filter(expression -> !expression.isBlank());
  }

  public ScheduleConfig(Optional<String> completenessCheck, Optional<String> maintenance) {
    this(completenessCheck, maintenance, Optional.empty());
  }

  public static ScheduleConfig defaults() {
    return new ScheduleConfig(Optional.of("0 6 2 * *"), Optional.of("30 3 * * 0"));
  }

  /** The month the completeness check expects by default: the pinned one, else last month (UTC). */
  public YearMonth expectedMonth(Clock clock) {
    return completenessMonth.orElseGet(
        () -> YearMonth.now(clock.withZone(ZoneOffset.UTC)).minusMonths(1));
  }

  @JsonCreator
  static ScheduleConfig fromYaml(
      @JsonProperty("completeness-check") String completenessCheck,
      @JsonProperty("maintenance") String maintenance,
      @JsonProperty("completeness-month") String completenessMonth) {
    ScheduleConfig defaults = defaults();
    return new ScheduleConfig(
        completenessCheck == null ? defaults.completenessCheck() : Optional.of(completenessCheck),
        maintenance == null ? defaults.maintenance() : Optional.of(maintenance),
        Optional.ofNullable(completenessMonth)
            .filter(month -> !month.isBlank())
            .map(ScheduleConfig::month));
  }

  private static YearMonth month(String text) {
    try {
      return YearMonth.parse(text.strip());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "schedules.completeness-month must be YYYY-MM, not '" + text + "'");
    }
  }
}
