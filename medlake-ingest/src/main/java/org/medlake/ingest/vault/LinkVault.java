package org.medlake.ingest.vault;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;

/**
 * Maps a hospital's local identifiers to random surrogate keys. The vault stores only an
 * HMAC-SHA256 of each local id (keyed by a secret outside the vault) and the surrogate, so the
 * vault alone does not reveal identifiers, and the surrogate carries no information at all.
 */
public final class LinkVault implements AutoCloseable {
  /** What a local identifier identifies; surrogates of different kinds never collide. */
  public enum Kind {
    PATIENT("p"),
    ENCOUNTER("e");

    private final String prefix;

    Kind(String prefix) {
      this.prefix = prefix;
    }
  }

  private static final int BATCH = 500;

  private final Connection connection;
  private final SecretKeySpec key;
  private final SecureRandom random = new SecureRandom();

  private LinkVault(Connection connection, byte[] key) {
    this.connection = connection;
    this.key = new SecretKeySpec(key, "HmacSHA256");
  }

  public static LinkVault open(Path database, byte[] key) {
    try {
      Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database + "?journal_mode=WAL&busy_timeout=60000");
      try (Statement statement = connection.createStatement()) {
        statement.execute(
            "CREATE TABLE IF NOT EXISTS links (hospital_id TEXT NOT NULL, kind TEXT NOT NULL, id_hmac TEXT NOT NULL,"
                + " surrogate TEXT NOT NULL UNIQUE, PRIMARY KEY (hospital_id, kind, id_hmac))");
      }
      return new LinkVault(connection, key);
    } catch (SQLException e) {
      throw new MedlakeException(ErrorCode.STORAGE_ERROR, "Cannot open link vault " + database + ": " + e.getMessage(), e);
    }
  }

  /** The surrogate of every local id, creating random ones for ids seen for the first time. */
  public Map<String, String> surrogates(String hospitalId, Kind kind, Collection<String> localIds) {
    Map<String, String> hmacToLocal = new HashMap<>();
    Mac mac = mac();
    for (String localId : localIds) {
      byte[] digest = mac.doFinal((hospitalId + '\u0000' + kind.name() + '\u0000' + localId).getBytes(StandardCharsets.UTF_8));
      hmacToLocal.put(HexFormat.of().formatHex(digest), localId);
    }
    try {
      Map<String, String> found = lookup(hospitalId, kind, hmacToLocal.keySet());
      List<String> missing = hmacToLocal.keySet().stream().filter(hmac -> !found.containsKey(hmac)).toList();
      if (!missing.isEmpty()) {
        insert(hospitalId, kind, missing);
        found.putAll(lookup(hospitalId, kind, missing));
      }
      Map<String, String> result = new HashMap<>();
      found.forEach((hmac, surrogate) -> result.put(hmacToLocal.get(hmac), surrogate));
      return result;
    } catch (SQLException e) {
      throw new MedlakeException(ErrorCode.STORAGE_ERROR, "Link vault failed: " + e.getMessage(), e);
    }
  }

  private Map<String, String> lookup(String hospitalId, Kind kind, Collection<String> hmacs) throws SQLException {
    Map<String, String> found = new HashMap<>();
    List<String> all = new ArrayList<>(hmacs);
    for (int start = 0; start < all.size(); start += BATCH) {
      List<String> batch = all.subList(start, Math.min(all.size(), start + BATCH));
      String placeholders = String.join(",", java.util.Collections.nCopies(batch.size(), "?"));
      try (PreparedStatement statement = connection.prepareStatement(
          "SELECT id_hmac, surrogate FROM links WHERE hospital_id = ? AND kind = ? AND id_hmac IN (" + placeholders + ")")) {
        statement.setString(1, hospitalId);
        statement.setString(2, kind.name());
        for (int i = 0; i < batch.size(); i++) {
          statement.setString(i + 3, batch.get(i));
        }
        try (ResultSet rows = statement.executeQuery()) {
          while (rows.next()) {
            found.put(rows.getString(1), rows.getString(2));
          }
        }
      }
    }
    return found;
  }

  private void insert(String hospitalId, Kind kind, List<String> hmacs) throws SQLException {
    // INSERT OR IGNORE: a concurrent ingest may link the same id first; its surrogate wins for both
    connection.setAutoCommit(false);
    try (PreparedStatement statement = connection.prepareStatement(
        "INSERT OR IGNORE INTO links (hospital_id, kind, id_hmac, surrogate) VALUES (?, ?, ?, ?)")) {
      for (String hmac : hmacs) {
        statement.setString(1, hospitalId);
        statement.setString(2, kind.name());
        statement.setString(3, hmac);
        statement.setString(4, newSurrogate(kind));
        statement.addBatch();
      }
      statement.executeBatch();
      connection.commit();
    } catch (SQLException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(true);
    }
  }

  private String newSurrogate(Kind kind) {
    byte[] bytes = new byte[10];
    random.nextBytes(bytes);
    return kind.prefix + HexFormat.of().formatHex(bytes);
  }

  private Mac mac() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac;
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new MedlakeException(ErrorCode.STORAGE_ERROR, "Cannot close link vault: " + e.getMessage(), e);
    }
  }
}
