package org.medlake.core.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The form of new surrogates: a keyed permutation of each hospital's and kind's numbers. In the
 * core's package for its package-private parts, in this module for the SQLite driver.
 */
class TestLinkVaultSurrogates {
  private static final byte[] KEY =
      "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] OTHER_KEY =
      "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII);

  @TempDir Path directory;

  @Test
  void newSurrogatesAreFourBytesUniqueWithinTheHospitalAndKindAndDependOnTheKey() throws Exception {
    Path database = directory.resolve("vault.db");
    List<String> ids = ids("A", 70_000);
    Map<String, String> links;
    Map<String, String> again;
    Map<String, String> encounters;
    Map<String, String> otherHospital;
    try (LinkVault vault = LinkVault.open(database, KEY)) {
      links = vault.surrogates("H001", LinkVault.Kind.PATIENT, ids);
      again = vault.surrogates("H001", LinkVault.Kind.PATIENT, ids.subList(0, 1_000));
      encounters = vault.surrogates("H001", LinkVault.Kind.ENCOUNTER, ids.subList(0, 1_000));
      otherHospital = vault.surrogates("H002", LinkVault.Kind.PATIENT, ids.subList(0, 1_000));
    }
    Map<String, String> otherKey;
    try (LinkVault vault = LinkVault.open(directory.resolve("other.db"), OTHER_KEY)) {
      otherKey = vault.surrogates("H001", LinkVault.Kind.PATIENT, ids.subList(0, 1_000));
    }
    assertThat(links.values()).allMatch(surrogate -> surrogate.matches("p\\.H001\\.[0-9a-f]{8}"));
    assertThat(new HashSet<>(links.values())).hasSize(ids.size());
    assertThat(links).containsAllEntriesOf(again);
    assertThat(encounters.values())
        .allMatch(surrogate -> surrogate.matches("e\\.H001\\.[0-9a-f]{8}"));
    assertThat(otherHospital.values())
        .allMatch(surrogate -> surrogate.matches("p\\.H002\\.[0-9a-f]{8}"));
    // the first numbers of every hospital and kind, but permuted with keys of their own
    assertThat(hex(otherHospital)).doesNotContainAnyElementsOf(hex(encounters));
    assertThat(hex(otherKey)).doesNotContainAnyElementsOf(hex(links));
    // every id given took a number, those linked before too
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
        ResultSet rows =
            connection
                .createStatement()
                .executeQuery(
                    "SELECT hospital_id || kind || ':' || next_number FROM id_counters ORDER BY 1")) {
      List<String> counters = new ArrayList<>();
      while (rows.next()) {
        counters.add(rows.getString(1));
      }
      assertThat(counters).containsExactly("H001e:1000", "H001p:71000", "H002p:1000");
    }
  }

  @Test
  void anotherPseudonymKeyCannotMakeSurrogatesForAHospitalWhoseSurrogatesItDidNotMake() {
    Path database = directory.resolve("vault.db");
    try (LinkVault vault = LinkVault.open(database, KEY)) {
      vault.surrogates("H001", LinkVault.Kind.PATIENT, List.of("A"));
    }
    try (LinkVault vault = LinkVault.open(database, OTHER_KEY)) {
      assertThatThrownBy(() -> vault.surrogates("H001", LinkVault.Kind.PATIENT, List.of("B")))
          .isInstanceOf(org.medlake.core.error.MedlakeException.class)
          .hasMessageContaining("pseudonym key");
      // a hospital it starts is its own
      assertThat(vault.surrogates("H002", LinkVault.Kind.PATIENT, List.of("B")).get("B"))
          .startsWith("p.H002.");
    }
    try (LinkVault vault = LinkVault.open(database, KEY)) {
      assertThat(vault.surrogates("H001", LinkVault.Kind.PATIENT, List.of("A", "C"))).hasSize(2);
    }
  }

  @Test
  void afterTwoToTheThirtyTwoNumbersTheSurrogatesGrowByAByte() throws Exception {
    Path database = directory.resolve("vault.db");
    Map<String, String> first;
    try (LinkVault vault = LinkVault.open(database, KEY)) {
      first = vault.surrogates("H001", LinkVault.Kind.PATIENT, List.of("A"));
    }
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database)) {
      connection.createStatement().execute("UPDATE id_counters SET next_number = 4294967294");
    }
    Map<String, String> links;
    try (LinkVault vault = LinkVault.open(database, KEY)) {
      links = vault.surrogates("H001", LinkVault.Kind.PATIENT, ids("B", 4));
    }
    assertThat(
            links.values().stream()
                .filter(surrogate -> surrogate.matches("p\\.H001\\.[0-9a-f]{8}")))
        .hasSize(2);
    assertThat(
            links.values().stream()
                .filter(surrogate -> surrogate.matches("p\\.H001\\.[0-9a-f]{10}")))
        .hasSize(2);
    assertThat(links.values()).doesNotContainAnyElementsOf(first.values()).doesNotHaveDuplicates();
  }

  @Test
  void surrogatesOfLinksMadeBeforeKeepTheirFormAndNeverEqualANewOne() {
    byte[] bytes = new byte[10];
    new Random(3).nextBytes(bytes);
    String old = LinkVault.shown(LinkVault.Kind.ENCOUNTER, "H001", bytes);
    assertThat(old).matches("e[0-9a-f]{20}");
    assertThat(LinkVault.shown(LinkVault.Kind.ENCOUNTER, "H001", java.util.Arrays.copyOf(bytes, 4)))
        .isEqualTo("e.H001." + old.substring(1, 9));
    // hospital ids with the separator in them stay apart: the hex part has none
    assertThat(LinkVault.shown(LinkVault.Kind.PATIENT, "H.1", java.util.Arrays.copyOf(bytes, 4)))
        .isNotEqualTo(
            LinkVault.shown(LinkVault.Kind.PATIENT, "H", java.util.Arrays.copyOf(bytes, 4)));
  }

  private static List<String> hex(Map<String, String> links) {
    return links.values().stream()
        .map(surrogate -> surrogate.substring(surrogate.lastIndexOf('.') + 1))
        .toList();
  }

  private static List<String> ids(String prefix, int count) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add(prefix + i);
    }
    return ids;
  }
}
