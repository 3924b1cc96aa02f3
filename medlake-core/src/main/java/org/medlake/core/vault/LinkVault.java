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
 * Maps a hospital's local identifiers to random surrogate keys. The vault stores only a keyed hash
 * of each local id (HMAC-SHA256, keyed by a secret outside the vault) and the surrogate, so the
 * vault alone does not reveal identifiers, and the surrogate carries no information at all.
 *
 * <p>A link is the row {@code (id_hmac, hospital_id, kind, surrogate)} of the table {@code
 * id_links}: {@code id_hmac} is the first 16 bytes of HMAC-SHA256 over {@code hospital \0 KIND \0
 * local id} (hospital and kind are inside the hash, so it alone is the key), {@code kind} is the
 * surrogate's one-letter prefix, and {@code surrogate} its random bytes. A link made since
 * 2026-12 has 4 random bytes, unique within its hospital and kind (a unique index; a draw that
 * collides is drawn again, one byte wider), and the lake shows it as the prefix, the hospital and
 * the bytes in hex ({@code p.H001.3f9c04a7}); a link made before has 10 random bytes, shown as the
 * prefix and the bytes in hex ({@code p3f9c...}, 21 characters), and keeps that form: see
 * "Surrogate keys" in docs/ARCHITECTURE.md for why the form changed (Parquet size).
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

  /** Random bytes of a new link's surrogate: unique within hospital and kind, 2^32 of them. */
  private static final int SURROGATE_BYTES = 4;
  /** Random bytes of the surrogates of links made before 2026-12, shown without the hospital. */
  private static final int FIRST_SURROGATE_BYTES = 10;
  /** A draw that collides is drawn again one byte wider, up to this; more collisions fail the batch. */
  private static final int MAX_SURROGATE_BYTES = FIRST_SURROGATE_BYTES - 1;
  /** 128 bits of the HMAC: no two of even 10^12 ids collide (probability below 10^-14). */
  private static final int ID_HASH_BYTES = 16;
  /**
   * Pages of a new SQLite vault. Links arrive in random key order, so a batch touches pages all over
   * the tree and writes each to the log once: with 16 KB pages 2 M links took 3.5-4.3 s to store
   * instead of 8.7 s with 4 KB pages (docs/ARCHITECTURE.md, "The link vault's layout").
   */
  private static final int SQLITE_PAGE_BYTES = 16384;

  private final Connection connection;
  private final SecretKeySpec key;
  private java.util.Random random = new SecureRandom();
  private LinkVault(Connection connection, byte[] key) {
    this.connection = connection;
    this.key = new SecretKeySpec(key, "HmacSHA256");
  }

  /** Tests only: draws surrogates from {@code random} instead of the secure generator, to make them collide. */
  LinkVault drawingFrom(java.util.Random random) {
    this.random = random;
    return this;
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
      createTable(connection,
          "CREATE TABLE IF NOT EXISTS id_links (id_hmac BYTEA PRIMARY KEY, hospital_id TEXT NOT NULL, kind TEXT NOT NULL,"
              + " surrogate BYTEA NOT NULL)",
          "SELECT to_regclass('links') IS NOT NULL",
          "INSERT INTO id_links (id_hmac, hospital_id, kind, surrogate) SELECT substring(id_hmac FROM 1 FOR " + ID_HASH_BYTES
              + "), hospital_id, substring(surrogate FROM 1 FOR 1), decode(substring(surrogate FROM 2), 'hex') FROM links"
              + " ON CONFLICT DO NOTHING");
      return new LinkVault(connection, key);
    } catch (SQLException e) {
      throw new MedlakeException(ErrorCode.STORAGE_ERROR, "Cannot open link vault " + PlatformConfig.shown(url) + ": " + e.getMessage(), e);
    }
  }

  public static LinkVault open(Path database, byte[] key) {
    try {
      Connection connection = SqliteFiles.open(database, SQLITE_PAGE_BYTES);
      try (Statement statement = connection.createStatement()) {
        // 16 MB of page cache: a batch's links are inserted and looked up in key order, and the
        // pages a batch misses come from the operating system's file cache; a large cache here
        // (it was 256 MB) filled up as a big file went on and made an ingest's memory grow with it
        statement.execute("PRAGMA cache_size = -16384");
        statement.execute("PRAGMA temp_store = MEMORY");
      }
      createTable(connection,
          "CREATE TABLE IF NOT EXISTS id_links (id_hmac BLOB PRIMARY KEY, hospital_id TEXT NOT NULL, kind TEXT NOT NULL,"
              + " surrogate BLOB NOT NULL) WITHOUT ROWID",
          "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'links'",
          "INSERT INTO id_links (id_hmac, hospital_id, kind, surrogate) SELECT substr(id_hmac, 1, " + ID_HASH_BYTES
              + "), hospital_id, substr(surrogate, 1, 1), unhex(substr(surrogate, 2)) FROM links WHERE true ON CONFLICT DO NOTHING");
      return new LinkVault(connection, key);
    } catch (SQLException e) {
      throw new MedlakeException(ErrorCode.STORAGE_ERROR, "Cannot open link vault " + database + ": " + e.getMessage(), e);
    }
  }

  /**
   * Creates the table {@code id_links} ({@code create}) and, if {@code firstLayoutExists} finds the
   * table {@code links} of the first layout (whole HMAC, surrogate as text), moves its links over
   * ({@code move}, surrogates unchanged) and drops it: in one transaction under the schema lock, so
   * that of several processes opening the vault at once one moves the links and the others wait.
   */
  private static void createTable(Connection connection, String create, String firstLayoutExists, String move) throws SQLException {
    SchemaSetup.locked(connection, statement -> {
      statement.execute(create);
      // surrogates are unique within hospital and kind: a new link's 4 random bytes would collide
      // now and then without it (the 10 bytes of older links never do, and they are indexed alike)
      statement.execute("CREATE UNIQUE INDEX IF NOT EXISTS id_links_surrogate ON id_links (hospital_id, kind, surrogate)");
      boolean firstLayout;
      try (ResultSet rows = statement.executeQuery(firstLayoutExists)) {
        rows.next();
        firstLayout = rows.getBoolean(1);
      }
      if (firstLayout) {
        statement.execute(move);
        statement.execute("DROP TABLE links");
      }
    });
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
      byte[] hmac = java.util.Arrays.copyOf(mac.doFinal(localId.getBytes(StandardCharsets.UTF_8)), ID_HASH_BYTES);
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
    Map<String, String> result = new HashMap<>(links.length * 4 / 3 + 1);
    try {
      connection.setAutoCommit(false);
      List<Link> pending = List.of(links);
      for (int width = SURROGATE_BYTES; !pending.isEmpty(); width++) {
        if (width > MAX_SURROGATE_BYTES) {
          throw new IllegalStateException("link vault: " + pending.size() + " surrogates still collide at " + MAX_SURROGATE_BYTES + " bytes");
        }
        pending = link(hospitalId, kind, pending, width, links, result);
      }
      connection.commit();
      if (result.size() != links.length) {
        throw new IllegalStateException("link vault returned " + result.size() + " surrogates for " + links.length + " ids");
      }
      return result;
    } catch (SQLException | RuntimeException e) {
      try {
        connection.rollback();
      } catch (SQLException ignored) {
        // the original failure is what matters
      }
      if (e instanceof RuntimeException runtime) {
        throw runtime;
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

  /**
   * Stores a random surrogate of {@code width} bytes for each of {@code pending} (in key order) and
   * puts into {@code result} the surrogate of each that is now linked: by this insert, or before (by
   * an earlier or a concurrent ingest, which keeps its surrogate). Returns those whose drawn
   * surrogate collided with another link's of the hospital and kind, to be drawn again.
   */
  private List<Link> link(String hospitalId, Kind kind, List<Link> pending, int width, Link[] links, Map<String, String> result)
      throws SQLException {
    // one draw from the secure generator for all candidate surrogates: a draw per id costs more
    // than the rest of the work per id
    byte[] randomness = new byte[width * pending.size()];
    random.nextBytes(randomness);
    // ON CONFLICT DO NOTHING (any unique constraint): an id linked before, or by a concurrent ingest,
    // keeps its surrogate, and a surrogate taken by another id is not stored; the update count tells
    // which candidates were stored, and only the others are looked up
    int[] stored;
    try (PreparedStatement insert = connection.prepareStatement(
        "INSERT INTO id_links (id_hmac, hospital_id, kind, surrogate) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
      for (int i = 0; i < pending.size(); i++) {
        insert.setBytes(1, pending.get(i).hmac());
        insert.setString(2, hospitalId);
        insert.setString(3, kind.prefix);
        insert.setBytes(4, java.util.Arrays.copyOfRange(randomness, i * width, (i + 1) * width));
        insert.addBatch();
      }
      stored = insert.executeBatch();
    }
    List<Link> notStored = new ArrayList<>();
    for (int i = 0; i < pending.size(); i++) {
      if (stored[i] == 1) {
        result.put(pending.get(i).localId(), shown(kind, hospitalId, randomness, i * width, width));
      } else {
        // 0: linked before or a taken surrogate; anything else (a driver that does not report counts): look it up
        notStored.add(pending.get(i));
      }
    }
    lookUp(kind, hospitalId, notStored, links, result);
    List<Link> collided = new ArrayList<>();
    for (Link link : notStored) {
      if (!result.containsKey(link.localId())) {
        collided.add(link);
      }
    }
    return collided;
  }

  /** The stored surrogates of ids linked before, a few hundred keys a query; {@code links} is sorted. */
  private void lookUp(Kind kind, String hospitalId, List<Link> linkedBefore, Link[] links, Map<String, String> result) throws SQLException {
    int chunk = 500;
    for (int from = 0; from < linkedBefore.size(); from += chunk) {
      List<Link> keys = linkedBefore.subList(from, Math.min(linkedBefore.size(), from + chunk));
      String placeholders = String.join(", ", java.util.Collections.nCopies(keys.size(), "?"));
      try (PreparedStatement select = connection.prepareStatement(
          "SELECT id_hmac, surrogate FROM id_links WHERE id_hmac IN (" + placeholders + ")")) {
        for (int i = 0; i < keys.size(); i++) {
          select.setBytes(i + 1, keys.get(i).hmac());
        }
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            int at = java.util.Arrays.binarySearch(links, new Link(rows.getBytes(1), ""), HMAC_ORDER);
            byte[] surrogate = rows.getBytes(2);
            result.put(links[at].localId(), shown(kind, hospitalId, surrogate, 0, surrogate.length));
          }
        }
      }
    }
  }

  /**
   * The surrogate as the lake shows it, from its {@code length} bytes at {@code offset}: those of a
   * link made before 2026-12 (10 bytes) as the kind's prefix and the bytes in hex, as ever; those of
   * a newer link as the prefix, the hospital and the bytes in hex, dot-separated, so that they are
   * unique across hospitals (the bytes are unique only within one) and never equal an older form.
   */
  static String shown(Kind kind, String hospitalId, byte[] bytes, int offset, int length) {
    String hex = HexFormat.of().formatHex(bytes, offset, offset + length);
    return length == FIRST_SURROGATE_BYTES ? kind.prefix + hex : kind.prefix + "." + hospitalId + "." + hex;
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
