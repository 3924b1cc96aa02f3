package org.medlake.ingest.automation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;
import org.medlake.core.error.ValidationException;

class TestCronSchedule {
  @Test
  void theNextTimeFollowsTheExpression() {
    CronSchedule monthly = CronSchedule.parse("schedules.completeness-check", "0 6 2 * *");
    assertThat(monthly.next(ZonedDateTime.parse("2026-11-25T19:00:00Z")))
        .contains(ZonedDateTime.parse("2026-12-02T06:00:00Z"));
    assertThat(monthly.next(ZonedDateTime.parse("2026-12-02T06:00:00Z")))
        .contains(ZonedDateTime.parse("2027-01-02T06:00:00Z"));
    CronSchedule weekly = CronSchedule.parse("schedules.maintenance", "30 3 * * 0");
    assertThat(weekly.next(ZonedDateTime.parse("2026-11-25T19:00:00Z")))
        .contains(ZonedDateTime.parse("2026-11-29T03:30:00Z"));
  }

  @Test
  void aBadExpressionIsAnErrorNamingTheKey() {
    assertThatThrownBy(() -> CronSchedule.parse("schedules.maintenance", "every sunday"))
        .isInstanceOf(ValidationException.class)
        .hasMessageStartingWith("schedules.maintenance: 'every sunday' is not a cron expression");
  }
}
