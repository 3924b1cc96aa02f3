package org.medlake.platform.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TestAuditJson {
  private static final DateTimeFormatter STORED =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  @Test
  void detailsAreTheTextJacksonWrites() throws Exception {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("bytes_scanned", 123_456_789_012L);
    values.put("ratio", 0.25);
    values.put("tiny", 1.0E-7);
    values.put("cached", true);
    values.put("target", "quote \" backslash \\ line\nbreak \u2028 é");
    values.put("snapshot_ids", Map.of("lab_results", 8_123_456_789_012_345_678L, "hospitals", -1L));
    values.put("files", List.of(1, 2L, List.of("a", false)));
    values.put("empty", Map.of());
    Map<String, Object> details = AuditDetails.copy(values);

    assertThat(AuditJson.details(details))
        .isEqualTo(new ObjectMapper().writeValueAsString(details));
    assertThat(AuditJson.parseDetails(AuditJson.details(details))).isEqualTo(details);
  }

  @Test
  void storedTimesAreTheFormattersText() {
    Random random = new Random(7);
    for (int i = 0; i < 10_000; i++) {
      Instant instant =
          Instant.ofEpochSecond(
              random.nextLong(-62_167_219_200L, 253_402_300_800L), random.nextInt(1_000_000_000));
      assertThat(JdbcAuditLog.format(instant)).isEqualTo(STORED.format(instant));
    }
    for (Instant instant :
        List.of(
            Instant.EPOCH,
            Instant.parse("2026-12-31T23:59:59.999999999Z"),
            Instant.parse("0000-01-01T00:00:00Z"),
            Instant.parse("9999-12-31T23:59:59.999999Z"),
            Instant.parse("+10000-01-01T00:00:00Z"),
            Instant.parse("-0001-12-31T23:59:59Z"))) {
      assertThat(JdbcAuditLog.format(instant)).isEqualTo(STORED.format(instant));
    }
  }
}
