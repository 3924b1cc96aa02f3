package org.medlake.ingest.vault;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.vault.LinkVault;
import org.medlake.testkit.PostgresServer;

class LinkVaultIT {
  private static final byte[] KEY =
      "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final HexFormat HEX = HexFormat.of().withUpperCase();

  @TempDir Path directory;

  @Test
  void linksAreStableAndStoreOnlyTheKeyedHashOfEachId() throws Exception {
    Path database = directory.resolve("vault.db");
    Map<String, String> first;
    Map<String, String> second;
    try (LinkVault vault = LinkVault.open(database, KEY)) {
      // an id given twice is linked once
      first = vault.surrogates("H001", LinkVault.Kind.PATIENT, List.of("P1", "P2", "P1", "Pé"));
      second = vault.surrogates("H001", LinkVault.Kind.PATIENT, List.of("P2", "P3", "Pé"));
      assertThat(vault.surrogates("H002", LinkVault.Kind.PATIENT, List.of("P1")).get("P1"))
          .isNotEqualTo(first.get("P1"));
      assertThat(vault.surrogates("H001", LinkVault.Kind.ENCOUNTER, List.of("P1")).get("P1"))
          .startsWith("e");
    }
    assertThat(first).containsOnlyKeys("P1", "P2", "Pé");
    assertThat(second.get("P2")).isEqualTo(first.get("P2"));
    assertThat(second.get("Pé")).isEqualTo(first.get("Pé"));
    // a new link's surrogate: the prefix, the hospital and 4 random bytes in hex
    assertThat(second.get("P3")).matches("p\\.H001\\.([0-9a-f]{2}){4,9}").isNotIn(first.values());

    // the stored hash is the first 16 bytes of HMAC-SHA256 over "hospital \0 kind \0 local id",
    // and the surrogate its 4 random bytes: vaults written by earlier versions must keep resolving
    Map<String, String> stored = new HashMap<>();
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT hex(id_hmac), kind || '.' || hospital_id || '.' || lower(hex(surrogate)) FROM id_links"
                    + " WHERE hospital_id = 'H001' AND kind = 'p' AND length(surrogate) = 4")) {
      while (rows.next()) {
        stored.put(rows.getString(1), rows.getString(2));
      }
      try (ResultSet pageSize = statement.executeQuery("PRAGMA page_size")) {
        pageSize.next();
        assertThat(pageSize.getInt(1)).isEqualTo(16384);
      }
    }
    assertThat(stored).hasSize(4);
    for (String id : List.of("P1", "P2", "P3", "Pé")) {
      String hmac = HEX.formatHex(hmac("H001", "PATIENT", id), 0, 16);
      assertThat(stored.get(hmac))
          .as(id)
          .isEqualTo(id.equals("P3") ? second.get(id) : first.get(id));
    }
    assertThat(String.join(",", stored.keySet()) + stored.values())
        .doesNotContain("P1", "P2", "P3");
  }

  @Test
  void linksMadeBeforeTheShortSurrogatesKeepTheirTwentyOneCharacterForm() throws Exception {
    Path database = directory.resolve("vault.db");
    LinkVault.open(database, KEY).close();
    Map<String, String> before = new HashMap<>();
    java.util.Random random = new java.util.Random(5);
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
        PreparedStatement insert =
            connection.prepareStatement(
                "INSERT INTO id_links (id_hmac, hospital_id, kind, surrogate) VALUES (?, ?, ?, ?)")) {
      for (String id : List.of("P1", "P2", "P3")) {
        byte[] bytes = new byte[10];
        random.nextBytes(bytes);
        insert.setBytes(1, java.util.Arrays.copyOf(hmac("H001", "PATIENT", id), 16));
        insert.setString(2, "H001");
        insert.setString(3, "p");
        insert.setBytes(4, bytes);
        insert.executeUpdate();
        before.put(id, "p" + HexFormat.of().formatHex(bytes));
      }
    }
    try (LinkVault vault = LinkVault.open(database, KEY)) {
      Map<String, String> links =
          vault.surrogates("H001", LinkVault.Kind.PATIENT, List.of("P1", "P2", "P3", "P4"));
      assertThat(links).containsAllEntriesOf(before);
      assertThat(links.get("P4")).matches("p\\.H001\\.([0-9a-f]{2}){4,9}");
    }
  }

  @Test
  void aSqliteVaultOfTheFirstLayoutIsMovedToTheCompactOneOnOpenAndKeepsItsSurrogates()
      throws Exception {
    Path database = directory.resolve("old-vault.db");
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database)) {
      connection
          .createStatement()
          .execute(
              "CREATE TABLE links (hospital_id TEXT NOT NULL, kind TEXT NOT NULL, id_hmac BLOB NOT NULL,"
                  + " surrogate TEXT NOT NULL, PRIMARY KEY (hospital_id, kind, id_hmac)) WITHOUT ROWID");
      Map<String, String> before = writeFirstLayout(connection);
      checkMoved(before, () -> LinkVault.open(database, KEY));
    }
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
        ResultSet tables =
            connection
                .createStatement()
                .executeQuery(
                    "SELECT group_concat(name ORDER BY name) FROM sqlite_master WHERE type = 'table'")) {
      tables.next();
      assertThat(tables.getString(1)).isEqualTo("id_counters,id_links");
    }
  }

  @Test
  void aPostgresVaultOfTheFirstLayoutIsMovedToTheCompactOneOnOpenAndKeepsItsSurrogates()
      throws Exception {
    try (PostgresServer postgres = PostgresServer.start()) {
      String url = postgres.createDatabase("vault");
      Path root = directory.resolve("pg");
      Files.createDirectories(root);
      Files.writeString(
          root.resolve("medlake.yaml"),
          "platform:\n  jdbc-url: %s\n  jdbc-user: %s\n".formatted(url, PostgresServer.USER));
      MedlakeHome home = MedlakeHome.open(root);
      try (Connection connection = DriverManager.getConnection(url, PostgresServer.USER, "")) {
        connection
            .createStatement()
            .execute(
                "CREATE TABLE links (hospital_id TEXT NOT NULL, kind TEXT NOT NULL, id_hmac BYTEA NOT NULL,"
                    + " surrogate TEXT NOT NULL, PRIMARY KEY (hospital_id, kind, id_hmac))");
        Map<String, String> before = writeFirstLayout(connection);
        checkMoved(before, () -> LinkVault.open(home, KEY));
        try (ResultSet table =
            connection.createStatement().executeQuery("SELECT to_regclass('links') IS NULL")) {
          table.next();
          assertThat(table.getBoolean(1)).isTrue();
        }
      }
    }
  }

  /**
   * Links 300 patients and 200 encounters of two hospitals as the first layout stored them; the
   * surrogates by "hospital/kind/id".
   */
  private static Map<String, String> writeFirstLayout(Connection connection) throws Exception {
    Map<String, String> surrogates = new HashMap<>();
    java.util.Random random = new java.util.Random(3);
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO links (hospital_id, kind, id_hmac, surrogate) VALUES (?, ?, ?, ?)")) {
      for (String hospital : List.of("H001", "H002")) {
        for (LinkVault.Kind kind : LinkVault.Kind.values()) {
          for (int i = 0; i < (kind == LinkVault.Kind.PATIENT ? 150 : 100); i++) {
            String id = kind.name().charAt(0) + String.valueOf(i);
            byte[] bytes = new byte[10];
            random.nextBytes(bytes);
            String surrogate =
                kind.name().toLowerCase(java.util.Locale.ROOT).charAt(0)
                    + HexFormat.of().formatHex(bytes);
            insert.setString(1, hospital);
            insert.setString(2, kind.name());
            insert.setBytes(3, hmac(hospital, kind.name(), id));
            insert.setString(4, surrogate);
            insert.executeUpdate();
            surrogates.put(hospital + "/" + kind + "/" + id, surrogate);
          }
        }
      }
    }
    return surrogates;
  }

  /**
   * Three vaults opened at once on the old layout (one moves it, the others wait) resolve every old
   * id to its old surrogate.
   */
  private static void checkMoved(Map<String, String> before, Callable<LinkVault> open)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(3);
    List<Future<Map<String, String>>> results = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      results.add(
          pool.submit(
              () -> {
                Map<String, String> resolved = new HashMap<>();
                try (LinkVault vault = open.call()) {
                  for (String hospital : List.of("H001", "H002")) {
                    for (LinkVault.Kind kind : LinkVault.Kind.values()) {
                      List<String> ids = new ArrayList<>(List.of("new-1", "new-2"));
                      for (String link : before.keySet()) {
                        if (link.startsWith(hospital + "/" + kind + "/")) {
                          ids.add(link.substring(link.lastIndexOf('/') + 1));
                        }
                      }
                      vault
                          .surrogates(hospital, kind, ids)
                          .forEach(
                              (id, surrogate) ->
                                  resolved.put(hospital + "/" + kind + "/" + id, surrogate));
                    }
                  }
                }
                return resolved;
              }));
    }
    Map<String, String> firstResult = null;
    for (Future<Map<String, String>> result : results) {
      Map<String, String> resolved = result.get();
      assertThat(resolved).containsAllEntriesOf(before).hasSize(before.size() + 8);
      if (firstResult != null) {
        assertThat(resolved).isEqualTo(firstResult);
      }
      firstResult = resolved;
    }
    pool.shutdown();
  }

  private static byte[] hmac(String hospital, String kind, String id) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
    return mac.doFinal(
        (hospital + "\u0000" + kind + "\u0000" + id).getBytes(StandardCharsets.UTF_8));
  }
}
