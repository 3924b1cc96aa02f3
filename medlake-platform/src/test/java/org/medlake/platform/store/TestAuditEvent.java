package org.medlake.platform.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.medlake.core.security.Role;

class TestAuditEvent {
  private static final Instant AT = Instant.parse("2026-03-01T08:00:00.123456789Z");

  @Test
  void buildsAnEventWithoutId() {
    AuditEvent event =
        AuditEvent.builder()
            .at(AT)
            .actor("bob")
            .role(Role.ANALYST)
            .clientIp("10.0.0.7")
            .action(AuditAction.QUERY)
            .target("glucose_by_month")
            .outcome(AuditOutcome.OK)
            .detail("bytes_scanned", 1024)
            .detail("cached", false)
            .build();

    assertThat(event)
        .isEqualTo(
            new AuditEvent(
                OptionalLong.empty(),
                Instant.parse("2026-03-01T08:00:00.123456Z"),
                "bob",
                Optional.of(Role.ANALYST),
                Optional.of("10.0.0.7"),
                AuditAction.QUERY,
                Optional.of("glucose_by_month"),
                AuditOutcome.OK,
                Map.of("bytes_scanned", 1024L, "cached", false)));
  }

  @Test
  void optionalFieldsDefaultToEmpty() {
    AuditEvent event = minimal().build();

    assertThat(event.role()).isEmpty();
    assertThat(event.clientIp()).isEmpty();
    assertThat(event.target()).isEmpty();
    assertThat(event.details()).isEmpty();
  }

  @Test
  void requiresAtActorActionAndOutcome() {
    assertThatThrownBy(
            () ->
                AuditEvent.builder()
                    .actor("bob")
                    .action(AuditAction.LOGIN)
                    .outcome(AuditOutcome.OK)
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("an audit event needs at, actor, action and outcome");
    assertThatThrownBy(() -> minimal().actor(" ").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("audit event actor is blank");
    assertThatThrownBy(() -> minimal().target("t".repeat(201)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("audit event target has 201 characters (at most 200)");
  }

  @Test
  void normalizesNumbersAndCopiesNestedValues() {
    List<Object> snapshots = new ArrayList<>(List.of(1, 2L));
    AuditEvent event =
        minimal()
            .detail("snapshot_ids", snapshots)
            .detail("estimate", Map.of("bytes", (short) 7, "ratio", 0.5f))
            .build();
    snapshots.add(3);

    assertThat(event.details())
        .isEqualTo(
            Map.of(
                "snapshot_ids", List.of(1L, 2L),
                "estimate", Map.of("bytes", 7L, "ratio", 0.5d)));
    assertThat(event.details()).containsOnlyKeys("estimate", "snapshot_ids");
    assertThatThrownBy(() -> event.details().put("rows", 1))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void refusesDetailsThatCouldHoldData() {
    assertRefused(
        "row",
        new Object(),
        "audit detail 'row' must be a number, boolean, short string, map or list (got java.lang.Object)");
    assertRefused(
        "bytes",
        new BigDecimal("1.5"),
        "audit detail 'bytes' must be a number, boolean, short string, map or list (got java.math.BigDecimal)");
    assertRefused(
        "sql", "x".repeat(201), "audit detail 'sql' is a string of 201 characters (at most 200)");
    assertRefused("ratio", Double.NaN, "audit detail 'ratio' is not a finite number (got NaN)");
    assertRefused("rows", List.of(List.of(List.of(1))), "audit details nest deeper than 3 levels");
    assertRefused(
        "rows",
        IntStream.range(0, 257).boxed().toList(),
        "audit details hold more than 256 values");
    assertRefused(
        "nested",
        Map.of(1, "one"),
        "audit detail keys must be non-blank strings of at most 64 characters (got java.lang.Integer)");
    assertRefused(
        "k".repeat(65),
        1,
        "audit detail keys must be non-blank strings of at most 64 characters (got java.lang.String)");
    List<Object> withNull = new ArrayList<>();
    withNull.add(null);
    assertRefused(
        "ids",
        withNull,
        "audit detail 'ids' must be a number, boolean, short string, map or list (got null)");
  }

  @Test
  void acceptsTheLargestAllowedDetails() {
    AuditEvent event =
        minimal()
            .detail("code", "x".repeat(200))
            .detail("nested", Map.of("ids", List.of(1, 2)))
            .detail("many", IntStream.range(0, 253).boxed().toList())
            .build();

    assertThat(event.details()).containsOnlyKeys("code", "many", "nested");
  }

  @Test
  void fingerprintsSqlInsteadOfKeepingIt() {
    String sql = "SELECT * FROM lab_results WHERE patient_key = 'P-000123'";

    AuditEvent event = minimal().action(AuditAction.SQL).sqlFingerprint(sql).build();

    assertThat(event.details())
        .isEqualTo(
            Map.of(
                "sql_sha256",
                HexFormat.of().formatHex(sha256(sql)),
                "sql_length",
                (long) sql.length()));
  }

  private static void assertRefused(String key, Object value, String message) {
    assertThatThrownBy(() -> minimal().detail(key, value).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static AuditEvent.Builder minimal() {
    return AuditEvent.builder()
        .at(AT)
        .actor(AuditEvent.ANONYMOUS)
        .action(AuditAction.LOGIN_FAILED)
        .outcome(AuditOutcome.REFUSED);
  }
}
