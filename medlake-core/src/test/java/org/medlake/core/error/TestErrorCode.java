package org.medlake.core.error;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TestErrorCode {
  @Test
  void exitCodeFollowsTheType() {
    for (ErrorCode code : ErrorCode.values()) {
      int expected =
          switch (code.type()) {
            case USER -> 2;
            case EXTERNAL -> 3;
            case INTERNAL -> 4;
          };
      assertThat(code.exitCode()).as(code.name()).isEqualTo(expected);
    }
  }

  @Test
  void userErrorsAre4xxAndTheOthers5xxOrConflicts() {
    for (ErrorCode code : ErrorCode.values()) {
      switch (code.type()) {
        case USER -> assertThat(code.httpStatus()).as(code.name()).isBetween(400, 499);
        case EXTERNAL -> assertThat(code.httpStatus()).as(code.name()).isIn(409, 503, 507);
        case INTERNAL -> assertThat(code.httpStatus()).as(code.name()).isEqualTo(500);
      }
    }
  }

  @Test
  void theStatusesTheApiAnsweredBefore() {
    assertThat(ErrorCode.NOT_FOUND.httpStatus()).isEqualTo(404);
    assertThat(ErrorCode.BAD_REQUEST.httpStatus()).isEqualTo(400);
    assertThat(ErrorCode.UNAUTHENTICATED.httpStatus()).isEqualTo(401);
    assertThat(ErrorCode.FORBIDDEN.httpStatus()).isEqualTo(403);
    assertThat(ErrorCode.LENGTH_REQUIRED.httpStatus()).isEqualTo(411);
    assertThat(ErrorCode.PAYLOAD_TOO_LARGE.httpStatus()).isEqualTo(413);
    assertThat(ErrorCode.BUDGET_EXCEEDED.httpStatus()).isEqualTo(422);
    assertThat(ErrorCode.RATE_LIMITED.httpStatus()).isEqualTo(429);
    assertThat(ErrorCode.COMMIT_CONFLICT.httpStatus()).isEqualTo(409);
    assertThat(ErrorCode.RUN_NOT_HELD.httpStatus()).isEqualTo(409);
    assertThat(ErrorCode.STORAGE_ERROR.httpStatus()).isEqualTo(503);
    assertThat(ErrorCode.QUEUE_FULL.httpStatus()).isEqualTo(503);
    assertThat(ErrorCode.INSUFFICIENT_STORAGE.httpStatus()).isEqualTo(507);
    assertThat(ErrorCode.INTERNAL_ERROR.httpStatus()).isEqualTo(500);
  }

  @Test
  void retryAfterIsWholeSecondsRoundedUpAndAtLeastOne() {
    assertThat(
            new MedlakeException(
                    ErrorCode.RATE_LIMITED,
                    "slow down",
                    Map.of(),
                    Optional.of(Duration.ofMillis(1_200)),
                    null)
                .retryAfterSeconds())
        .contains(2L);
    assertThat(MedlakeException.seconds(Duration.ZERO)).isEqualTo(1);
    assertThat(MedlakeException.seconds(Duration.ofSeconds(30))).isEqualTo(30);
    assertThat(new MedlakeException(ErrorCode.BAD_REQUEST, "no").retryAfterSeconds()).isEmpty();
  }

  @Test
  void detailsAreCopied() {
    Map<String, Object> details = new java.util.HashMap<>(Map.of("run_id", "run-1"));
    MedlakeException error = new MedlakeException(ErrorCode.INGEST_FAILED, "failed", details);
    details.put("other", 1);
    assertThat(error.details()).containsExactly(Map.entry("run_id", "run-1"));
    assertThatThrownBy(() -> error.details().put("x", 1))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
