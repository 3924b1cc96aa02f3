package org.medlake.ingest.vault;

import org.medlake.core.vault.LinkVault;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestLinkVault {
  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  @Test
  void linksAreStableAndStoreOnlyTheKeyedHashOfEachId(@TempDir Path directory) throws Exception {
    Path database = directory.resolve("vault.db");
    Map<String, String> first;
    Map<String, String> second;
    try (LinkVault vault = LinkVault.open(database, KEY)) {
      // an id given twice is linked once
      first = vault.surrogates("H001", LinkVault.Kind.PATIENT, List.of("P1", "P2", "P1", "Pé"));
      second = vault.surrogates("H001", LinkVault.Kind.PATIENT, List.of("P2", "P3", "Pé"));
      assertThat(vault.surrogates("H002", LinkVault.Kind.PATIENT, List.of("P1")).get("P1")).isNotEqualTo(first.get("P1"));
      assertThat(vault.surrogates("H001", LinkVault.Kind.ENCOUNTER, List.of("P1")).get("P1")).startsWith("e");
    }
    assertThat(first).containsOnlyKeys("P1", "P2", "Pé");
    assertThat(second.get("P2")).isEqualTo(first.get("P2"));
    assertThat(second.get("Pé")).isEqualTo(first.get("Pé"));
    assertThat(second.get("P3")).startsWith("p").hasSize(21).isNotIn(first.values());

    // the stored hash is HMAC-SHA256 over "hospital \0 kind \0 local id": vaults written by
    // earlier versions must keep resolving
    Map<String, String> stored = new HashMap<>();
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT hex(id_hmac), surrogate FROM links WHERE hospital_id = 'H001' AND kind = 'PATIENT'")) {
      while (rows.next()) {
        stored.put(rows.getString(1), rows.getString(2));
      }
    }
    assertThat(stored).hasSize(4);
    for (String id : List.of("P1", "P2", "P3", "Pé")) {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
      String hmac = java.util.HexFormat.of().withUpperCase().formatHex(mac.doFinal(("H001\u0000PATIENT\u0000" + id).getBytes(StandardCharsets.UTF_8)));
      assertThat(stored.get(hmac)).as(id).isEqualTo(id.equals("P3") ? second.get(id) : first.get(id));
    }
    assertThat(String.join(",", stored.keySet()) + stored.values()).doesNotContain("P1", "P2", "P3");
  }
}
