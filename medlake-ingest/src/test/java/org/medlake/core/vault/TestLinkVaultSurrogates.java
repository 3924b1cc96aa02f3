package org.medlake.core.vault;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The form of new surrogates, and what happens when a drawn one is taken already. In the core's
 * package for its package-private hooks, in this module for the SQLite driver.
 */
class TestLinkVaultSurrogates {
  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  @TempDir Path directory;

  @Test
  void aDrawnSurrogateTakenByAnotherIdOfTheHospitalIsDrawnAgainOneByteWider() {
    Path database = directory.resolve("vault.db");
    List<String> first = ids("A", 200);
    List<String> second = ids("B", 200);
    Map<String, String> firstLinks;
    Map<String, String> secondLinks;
    Map<String, String> otherHospital;
    // the same generator seed draws the same bytes: every surrogate drawn for the second ids is one
    // the first ids hold already
    try (LinkVault vault = LinkVault.open(database, KEY).drawingFrom(new Random(7))) {
      firstLinks = vault.surrogates("H001", LinkVault.Kind.PATIENT, first);
    }
    try (LinkVault vault = LinkVault.open(database, KEY).drawingFrom(new Random(7))) {
      secondLinks = vault.surrogates("H001", LinkVault.Kind.PATIENT, second);
    }
    // another hospital may hold the same bytes: its surrogates differ by the hospital in them
    try (LinkVault vault = LinkVault.open(database, KEY).drawingFrom(new Random(7))) {
      otherHospital = vault.surrogates("H002", LinkVault.Kind.PATIENT, first);
    }
    assertThat(firstLinks.values()).allMatch(surrogate -> surrogate.matches("p\\.H001\\.[0-9a-f]{8}"));
    assertThat(secondLinks.values()).allMatch(surrogate -> surrogate.matches("p\\.H001\\.[0-9a-f]{10}"));
    assertThat(otherHospital.values()).allMatch(surrogate -> surrogate.matches("p\\.H002\\.[0-9a-f]{8}"));
    assertThat(otherHospital.values().stream().map(surrogate -> surrogate.substring(7)).toList())
        .containsExactlyInAnyOrderElementsOf(firstLinks.values().stream().map(surrogate -> surrogate.substring(7)).toList());
    List<String> all = new ArrayList<>(firstLinks.values());
    all.addAll(secondLinks.values());
    all.addAll(otherHospital.values());
    assertThat(new HashSet<>(all)).hasSize(600);
    // and every link resolves to what it was given
    try (LinkVault vault = LinkVault.open(database, KEY)) {
      assertThat(vault.surrogates("H001", LinkVault.Kind.PATIENT, first)).isEqualTo(firstLinks);
      assertThat(vault.surrogates("H001", LinkVault.Kind.PATIENT, second)).isEqualTo(secondLinks);
    }
  }

  @Test
  void surrogatesOfLinksMadeBeforeKeepTheirFormAndNeverEqualANewOne() {
    byte[] bytes = new byte[10];
    new Random(3).nextBytes(bytes);
    String old = LinkVault.shown(LinkVault.Kind.ENCOUNTER, "H001", bytes, 0, 10);
    assertThat(old).matches("e[0-9a-f]{20}");
    assertThat(LinkVault.shown(LinkVault.Kind.ENCOUNTER, "H001", bytes, 0, 4)).isEqualTo("e.H001." + old.substring(1, 9));
    // hospital ids with the separator in them stay apart: the random part has none
    assertThat(LinkVault.shown(LinkVault.Kind.PATIENT, "H.1", bytes, 0, 4))
        .isNotEqualTo(LinkVault.shown(LinkVault.Kind.PATIENT, "H", bytes, 0, 4));
  }

  private static List<String> ids(String prefix, int count) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add(prefix + i);
    }
    return ids;
  }
}
