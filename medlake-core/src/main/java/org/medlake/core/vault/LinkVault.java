package org.medlake.core.vault;

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
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.config.PlatformConfig;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.db.SchemaSetup;
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

  private static final int SURROGATE_BYTES = 10;

  private final Connection connection;
  private final SecretKeySpec key;
  private final SecureRandom random = new SecureRandom();
  private final String incomingTable;

  private LinkVault(Connection connection, byte[] key, String incomingTable) {
    this.connection = connection;
    this.key = new SecretKeySpec(key, "HmacSHA256");
    this.incomingTable = incomingTable;
  }

  /** The vault in the home's {@code vault.db}, or in the PostgreSQL platform database of {@code platform.jdbc-url}. */
  public static LinkVault open(MedlakeHome home, byte[] key) {
    PlatformConfig platform = home.config().platform();
    if (!platform.postgres()) {
      return open(home.vaultDatabase(), key);
    }
    String url = platform.jdbcUrl().orElseThrow();
    try {
      Connection connection = DriverManager.getConnection(url, platform.connectionProperties());
      SchemaSetup.run(connection,
          "CREATE TABLE IF NOT EXISTS links (hospital_id TEXT NOT NULL, kind TEXT NOT NULL, id_hmac BYTEA NOT NULL,"
              + " surrogate TEXT NOT NULL, PRIMARY KEY (hospital_id, kind, id_hmac))");
      return new LinkVault(connection, key, "CREATE TEMP TABLE IF NOT EXISTS incoming (id_hmac BYTEA PRIMARY KEY, surrogate TEXT NOT NULL)");
    } catch (SQLException e) {
      throw new MedlakeException(ErrorCode.STORAGE_ERROR, "Cannot open link vault " + PlatformConfig.shown(url) + ": " + e.getMessage(), e);
    }
  }

  public static LinkVault open(Path database, byte[] key) {
    try {
      Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database + "?journal_mode=WAL&busy_timeout=60000");
      try (Statement statement = connection.createStatement()) {
        // a large page cache: links are inserted in hash order, i.e. at random places of the tree
        statement.execute("PRAGMA cache_size = -262144");
        statement.execute("PRAGMA temp_store = MEMORY");
        statement.execute(
            "CREATE TABLE IF NOT EXISTS links (hospital_id TEXT NOT NULL, kind TEXT NOT NULL, id_hmac BLOB NOT NULL,"
                + " surrogate TEXT NOT NULL, PRIMARY KEY (hospital_id, kind, id_hmac)) WITHOUT ROWID");
      }
      return new LinkVault(connection, key, "CREATE TEMP TABLE IF NOT EXISTS incoming (id_hmac BLOB PRIMARY KEY, surrogate TEXT NOT NULL) WITHOUT ROWID");
    } catch (SQLException e) {
      throw new MedlakeException(ErrorCode.STORAGE_ERROR, "Cannot open link vault " + database + ": " + e.getMessage(), e);
    }
  }

  /** The surrogate of every local id, creating random ones for ids seen for the first time. */
  public synchronized Map<String, String> surrogates(String hospitalId, Kind kind, Collection<String> localIds) {
    Map<java.nio.ByteBuffer, String> hmacToLocal = new HashMap<>();
    Mac mac = mac();
    for (String localId : localIds) {
      byte[] digest = mac.doFinal((hospitalId + '\u0000' + kind.name() + '\u0000' + localId).getBytes(StandardCharsets.UTF_8));
      hmacToLocal.put(java.nio.ByteBuffer.wrap(digest), localId);
    }
    // one batch into a temporary table, then set operations inside SQLite: per-id round trips are
    // what makes a vault slow
    try (Statement statement = connection.createStatement()) {
      connection.setAutoCommit(false);
      statement.execute(incomingTable);
      statement.execute("DELETE FROM incoming");
      try (PreparedStatement insert = connection.prepareStatement("INSERT INTO incoming (id_hmac, surrogate) VALUES (?, ?)")) {
        // one draw from the secure generator for all candidate surrogates: a draw per id costs more
        // than the rest of the work per id
        byte[] randomness = new byte[SURROGATE_BYTES * hmacToLocal.size()];
        random.nextBytes(randomness);
        int offset = 0;
        for (java.nio.ByteBuffer hmac : hmacToLocal.keySet()) {
          insert.setBytes(1, hmac.array());
          insert.setString(2, kind.prefix + HexFormat.of().formatHex(randomness, offset, offset + SURROGATE_BYTES));
          offset += SURROGATE_BYTES;
          insert.addBatch();
        }
        insert.executeBatch();
      }
      // ON CONFLICT DO NOTHING: an id linked before, or by a concurrent ingest, keeps its surrogate.
      // Key order: two concurrent ingests of one hospital then take PostgreSQL's row locks in the
      // same order and wait for each other instead of deadlocking.
      try (PreparedStatement link = connection.prepareStatement(
          "INSERT INTO links (hospital_id, kind, id_hmac, surrogate) SELECT ?, ?, id_hmac, surrogate FROM incoming WHERE true"
              + " ORDER BY id_hmac ON CONFLICT DO NOTHING")) {
        link.setString(1, hospitalId);
        link.setString(2, kind.name());
        link.executeUpdate();
      }
      Map<String, String> result = new HashMap<>();
      try (PreparedStatement select = connection.prepareStatement(
          "SELECT i.id_hmac, l.surrogate FROM incoming i JOIN links l ON l.hospital_id = ? AND l.kind = ? AND l.id_hmac = i.id_hmac")) {
        select.setString(1, hospitalId);
        select.setString(2, kind.name());
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            result.put(hmacToLocal.get(java.nio.ByteBuffer.wrap(rows.getBytes(1))), rows.getString(2));
          }
        }
      }
      statement.execute("DELETE FROM incoming");
      connection.commit();
      if (result.size() != hmacToLocal.size()) {
        throw new IllegalStateException("link vault returned " + result.size() + " surrogates for " + hmacToLocal.size() + " ids");
      }
      return result;
    } catch (SQLException e) {
      try {
        connection.rollback();
      } catch (SQLException ignored) {
        // the original failure is what matters
      }
      throw new MedlakeException(ErrorCode.STORAGE_ERROR, "Link vault failed: " + e.getMessage(), e);
    } finally {
      try {
        connection.setAutoCommit(true);
      } catch (SQLException ignored) {
        // connection is unusable anyway
      }
    }
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
