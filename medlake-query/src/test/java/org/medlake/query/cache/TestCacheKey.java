package org.medlake.query.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class TestCacheKey {
  private static final String SQL =
      "SELECT month, count(*) FROM lab_results WHERE hospital_id IN (?, ?) GROUP BY month";

  @Test
  void keyIsTheSha256OfStatementParametersPolicyAndSnapshots() throws Exception {
    Map<String, Long> snapshots = new LinkedHashMap<>();
    snapshots.put("lab_results", 42L);
    snapshots.put("hospitals", 7L);

    // twice: the second call starts from the memoized statement digest
    for (int i = 0; i < 2; i++) {
      assertThat(CacheKey.of(SQL, Arrays.asList("H001", null), "viewer:k=11", snapshots))
          .isEqualTo(
              expected(
                  SQL
                      + "\u0000String:H001\u0001null\u0001\u0000viewer:k=11\u0000{hospitals=7, lab_results=42}"));
    }
  }

  @Test
  void policySnapshotsAndParametersEachChangeTheKey() {
    String key = CacheKey.of(SQL, List.of("H001"), "analyst", Map.of("lab_results", 1L));

    assertThat(CacheKey.of(SQL, List.of("H001"), "viewer:k=11", Map.of("lab_results", 1L)))
        .isNotEqualTo(key);
    assertThat(CacheKey.of(SQL, List.of("H001"), "analyst", Map.of("lab_results", 2L)))
        .isNotEqualTo(key);
    assertThat(CacheKey.of(SQL, List.of("H002"), "analyst", Map.of("lab_results", 1L)))
        .isNotEqualTo(key);
    assertThat(CacheKey.of(SQL, List.of(1L), "analyst", Map.of("lab_results", 1L)))
        .isNotEqualTo(CacheKey.of(SQL, List.of("1"), "analyst", Map.of("lab_results", 1L)));
  }

  @Test
  void changingTheCallersListLaterDoesNotChangeItsKey() {
    List<Object> parameters = new ArrayList<>(List.of("H001"));
    String key = CacheKey.of(SQL, parameters, "analyst", new TreeMap<>(Map.of("lab_results", 1L)));
    parameters.set(0, "H002");

    assertThat(CacheKey.of(SQL, List.of("H001"), "analyst", Map.of("lab_results", 1L)))
        .isEqualTo(key);
    assertThat(CacheKey.of(SQL, parameters, "analyst", Map.of("lab_results", 1L)))
        .isNotEqualTo(key);
  }

  private static String expected(String text) throws Exception {
    return "q:"
        + HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
  }
}
