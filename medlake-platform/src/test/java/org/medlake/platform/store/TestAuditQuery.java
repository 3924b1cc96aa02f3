package org.medlake.platform.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.ValidationException;

class TestAuditQuery {
  @Test
  void defaultsToEverythingWithTheDefaultLimit() {
    assertThat(AuditQuery.builder().build())
        .isEqualTo(
            new AuditQuery(
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                100));
  }

  @Test
  void limitIsBetweenOneAndOneThousand() {
    assertThat(AuditQuery.builder().limit(1000).build().limit()).isEqualTo(1000);
    assertThatThrownBy(() -> AuditQuery.builder().limit(1001).build())
        .isInstanceOf(ValidationException.class)
        .hasMessage("audit search limit must be between 1 and 1000 (got 1001)")
        .extracting(e -> ((ValidationException) e).errorCode())
        .isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThatThrownBy(() -> AuditQuery.builder().limit(0).build())
        .isInstanceOf(ValidationException.class)
        .hasMessage("audit search limit must be between 1 and 1000 (got 0)");
  }

  @Test
  void fromMustBeBeforeTo() {
    Instant instant = Instant.parse("2026-03-01T00:00:00Z");

    assertThatThrownBy(() -> AuditQuery.builder().from(instant).to(instant).build())
        .isInstanceOf(ValidationException.class)
        .hasMessage(
            "audit search 'from' (2026-03-01T00:00:00Z) must be before 'to' (2026-03-01T00:00:00Z)");
  }
}
