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
import org.medlake.core.db.SqliteFiles;
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
  private LinkVault(Connection connection, byte[] key) {
    this.connection = connection;
    this.key = new SecretKeySpec(key, "HmacSHA256");
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
      return new LinkVault(connection, key);
    } catch (SQLException e) {
      throw new MedlakeException(ErrorCode.STORAGE_ERROR, "Cannot open link vault " + PlatformConfig.shown(url) + ": " + e.getMessage(), e);
    }
  }

  public static LinkVault open(Path database, byte[] key) {
    try {
      Connection connection = SqliteFiles.open(database);
      try (Statement statement = connection.createStatement()) {
        // 16 MB of page cache: a batch's links are inserted and looked up in key order, and the
        // pages a batch misses come from the operating system's file cache; a large cache here
        // (it was 256 MB) filled up as a big file went on and made an ingest's memory grow with it
        statement.execute("PRAGMA cache_size = -16384");
        statement.execute("PRAGMA temp_store = MEMORY");
      }
      SchemaSetup.run(connection,
          "CREATE TABLE IF NOT EXISTS links (hospital_id TEXT NOT NULL, kind TEXT NOT NULL, id_hmac BLOB NOT NULL,"
              + " surrogate TEXT NOT NULL, PRIMARY KEY (hospital_id, kind, id_hmac)) WITHOUT ROWID");
      return new LinkVault(connection, key);
    } catch (SQLException e) {
      throw new MedlakeException(ErrorCode.STORAGE_ERROR, "Cannot open link vault " + database + ": " + e.getMessage(), e);
    }
  }

  /** A local id with its keyed hash. */
  private record Link(byte[] hmac, String localId) {}

  /** Unsigned byte order of the hashes, the order of the vault's primary key. */
  private static final java.util.Comparator<Link> HMAC_ORDER = (a, b) -> java.util.Arrays.compareUnsigned(a.hmac, b.hmac);

  /** The surrogate of every local id, creating random ones for ids seen for the first time. */
  public synchronized Map<String, String> surrogates(String hospitalId, Kind kind, Collection<String> localIds) {
    // in key order: an insert then lands next to the previous one in the tree, and two concurrent
    // ingests of one hospital take PostgreSQL's row locks in the same order and wait for each
    // other instead of deadlocking; sorted in an array (a tree map of 100 k hashes cost more than
    // hashing them)
    Mac mac = mac();
    byte[] prefix = (hospitalId + '\u0000' + kind.name() + '\u0000').getBytes(StandardCharsets.UTF_8);
    Link[] sorted = new Link[localIds.size()];
    int count = 0;
    for (String localId : localIds) {
      mac.update(prefix);
      byte[] hmac = mac.doFinal(localId.getBytes(StandardCharsets.UTF_8));
      sorted[count++] = new Link(hmac, localId);
    }
    java.util.Arrays.sort(sorted, 0, count, HMAC_ORDER);
    // an id given twice is linked once
    int distinct = 0;
    for (int i = 0; i < count; i++) {
      if (distinct == 0 || HMAC_ORDER.compare(sorted[distinct - 1], sorted[i]) != 0) {
        sorted[distinct++] = sorted[i];
      }
    }
    Link[] links = java.util.Arrays.copyOf(sorted, distinct);
    String[] candidates = new String[links.length];
    // one draw from the secure generator for all candidate surrogates: a draw per id costs more
    // than the rest of the work per id
    byte[] randomness = new byte[SURROGATE_BYTES * links.length];
    random.nextBytes(randomness);
    HexFormat hex = HexFormat.of();
    for (int i = 0; i < candidates.length; i++) {
      candidates[i] = kind.prefix + hex.formatHex(randomness, i * SURROGATE_BYTES, (i + 1) * SURROGATE_BYTES);
    }
    try {
      connection.setAutoCommit(false);
      // ON CONFLICT DO NOTHING: an id linked before, or by a concurrent ingest, keeps its surrogate;
      // the update count tells which candidates were stored, and only the others are looked up
      int[] stored;
      try (PreparedStatement insert = connection.prepareStatement(
          "INSERT INTO links (hospital_id, kind, id_hmac, surrogate) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
        for (int i = 0; i < links.length; i++) {
          insert.setString(1, hospitalId);
          insert.setString(2, kind.name());
          insert.setBytes(3, links[i].hmac());
          insert.setString(4, candidates[i]);
          insert.addBatch();
        }
        stored = insert.executeBatch();
      }
      Map<String, String> result = new HashMap<>(links.length * 4 / 3 + 1);
      List<Link> linkedBefore = new ArrayList<>();
      for (int i = 0; i < links.length; i++) {
        if (stored[i] == 1) {
          result.put(links[i].localId(), candidates[i]);
        } else {
          // 0: linked before; anything else (a driver that does not report counts): look it up
          linkedBefore.add(links[i]);
        }
      }
      lookUp(hospitalId, kind, linkedBefore, links, result);
      connection.commit();
      if (result.size() != links.length) {
        throw new IllegalStateException("link vault returned " + result.size() + " surrogates for " + links.length + " ids");
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

  /** The stored surrogates of ids linked before, a few hundred keys a query; {@code links} is sorted. */
  private void lookUp(String hospitalId, Kind kind, List<Link> linkedBefore, Link[] links, Map<String, String> result)
      throws SQLException {
    int chunk = 500;
    for (int from = 0; from < linkedBefore.size(); from += chunk) {
      List<Link> keys = linkedBefore.subList(from, Math.min(linkedBefore.size(), from + chunk));
      String placeholders = String.join(", ", java.util.Collections.nCopies(keys.size(), "?"));
      try (PreparedStatement select = connection.prepareStatement(
          "SELECT id_hmac, surrogate FROM links WHERE hospital_id = ? AND kind = ? AND id_hmac IN (" + placeholders + ")")) {
        select.setString(1, hospitalId);
        select.setString(2, kind.name());
        for (int i = 0; i < keys.size(); i++) {
          select.setBytes(i + 3, keys.get(i).hmac());
        }
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            int at = java.util.Arrays.binarySearch(links, new Link(rows.getBytes(1), ""), HMAC_ORDER);
            result.put(links[at].localId(), rows.getString(2));
          }
        }
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
