package org.medlake.core.vault;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
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
import org.medlake.core.db.SchemaSetup;
import org.medlake.core.db.SqliteFiles;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;

/**
 * Maps a hospital's local identifiers to surrogate keys that look random. The vault stores only a
 * keyed hash of each local id (HMAC-SHA256, keyed by a secret outside the vault) and the surrogate,
 * so the vault alone does not reveal identifiers, and without the secret the surrogate carries no
 * information at all.
 *
 * <p>A link is the row {@code (id_hmac, hospital_id, kind, surrogate)} of the table {@code
 * id_links}: {@code id_hmac} is the first 16 bytes of HMAC-SHA256 over {@code hospital \0 KIND \0
 * local id} (hospital and kind are inside the hash, so it alone is the key), {@code kind} is the
 * surrogate's one-letter prefix, and {@code surrogate} its bytes. A link made since 2026-12 gets
 * the next number of its hospital and kind (table {@code id_counters}) put through a keyed
 * permutation of 32-bit numbers (a Feistel network with AES-128 as its round function, keyed per
 * hospital and kind from the pseudonym key): 4 bytes that look random and are unique within the
 * hospital and kind by construction, shown as the prefix, the hospital and the bytes in hex ({@code
 * p.H001.3f9c04a7}). A link made before has 10 random bytes, shown as the prefix and the bytes in
 * hex ({@code p3f9c...}, 21 characters), and keeps that form. See "Surrogate keys" in
 * docs/ARCHITECTURE.md for why the form changed (Parquet size).
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

  /**
   * Bytes of a new link's surrogate: the first 2^32 numbers of a hospital and kind; the next 2^40
   * get 5 bytes, and so on.
   */
  private static final int SURROGATE_BYTES = 4;

  /** Bytes of the surrogates of links made before 2026-12 (random), shown without the hospital. */
  private static final int FIRST_SURROGATE_BYTES = 10;

  /** Rounds of the Feistel network, as NIST's FF1 format-preserving encryption uses. */
  private static final int FEISTEL_ROUNDS = 10;

  /** 128 bits of the HMAC: no two of even 10^12 ids collide (probability below 10^-14). */
  private static final int ID_HASH_BYTES = 16;

  /**
   * Pages of a new SQLite vault. Links arrive in random key order, so a batch touches pages all
   * over the tree and writes each to the log once: with 16 KB pages 2 M links took 3.5-4.3 s to
   * store instead of 8.7 s with 4 KB pages (docs/ARCHITECTURE.md, "The link vault's layout").
   */
  private static final int SQLITE_PAGE_BYTES = 16384;

  private final Connection connection;
  private final SecretKeySpec key;

  private LinkVault(Connection connection, byte[] key) {
    this.connection = connection;
    this.key = new SecretKeySpec(key, "HmacSHA256");
  }

  /**
   * The vault in the home's {@code vault.db}, or in the PostgreSQL platform database of {@code
   * platform.jdbc-url}.
   */
  public static LinkVault open(MedlakeHome home, byte[] key) {
    PlatformConfig platform = home.config().platform();
    if (!platform.postgres()) {
      return open(home.vaultDatabase(), key);
    }
    String url = platform.jdbcUrl().orElseThrow();
    try {
      Connection connection = DriverManager.getConnection(url, platform.connectionProperties());
      createTable(
          connection,
          "CREATE TABLE IF NOT EXISTS id_links (id_hmac BYTEA PRIMARY KEY, hospital_id TEXT NOT NULL, kind TEXT NOT NULL,"
              + " surrogate BYTEA NOT NULL)",
          "SELECT to_regclass('links') IS NOT NULL",
          "INSERT INTO id_links (id_hmac, hospital_id, kind, surrogate) SELECT substring(id_hmac FROM 1 FOR "
              + ID_HASH_BYTES
              + "), hospital_id, substring(surrogate FROM 1 FOR 1), decode(substring(surrogate FROM 2), 'hex') FROM links"
              + " ON CONFLICT DO NOTHING");
      return new LinkVault(connection, key);
    } catch (SQLException e) {
      throw new MedlakeException(
          ErrorCode.STORAGE_ERROR,
          "Cannot open link vault " + PlatformConfig.shown(url) + ": " + e.getMessage(),
          e);
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
      createTable(
          connection,
          "CREATE TABLE IF NOT EXISTS id_links (id_hmac BLOB PRIMARY KEY, hospital_id TEXT NOT NULL, kind TEXT NOT NULL,"
              + " surrogate BLOB NOT NULL) WITHOUT ROWID",
          "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'links'",
          "INSERT INTO id_links (id_hmac, hospital_id, kind, surrogate) SELECT substr(id_hmac, 1, "
              + ID_HASH_BYTES
              + "), hospital_id, substr(surrogate, 1, 1), unhex(substr(surrogate, 2)) FROM links WHERE true ON CONFLICT DO NOTHING");
      return new LinkVault(connection, key);
    } catch (SQLException e) {
      throw new MedlakeException(
          ErrorCode.STORAGE_ERROR, "Cannot open link vault " + database + ": " + e.getMessage(), e);
    }
  }

  /**
   * Creates the table {@code id_links} ({@code create}) and, if {@code firstLayoutExists} finds the
   * table {@code links} of the first layout (whole HMAC, surrogate as text), moves its links over
   * ({@code move}, surrogates unchanged) and drops it: in one transaction under the schema lock, so
   * that of several processes opening the vault at once one moves the links and the others wait.
   */
  private static void createTable(
      Connection connection, String create, String firstLayoutExists, String move)
      throws SQLException {
    SchemaSetup.locked(
        connection,
        statement -> {
          statement.execute(create);
          // the next number of each hospital and kind, from which a new link's surrogate is made
          statement.execute(
              "CREATE TABLE IF NOT EXISTS id_counters (hospital_id TEXT NOT NULL, kind TEXT NOT NULL, next_number BIGINT NOT NULL,"
                  + " key_check "
                  + (statement
                          .getConnection()
                          .getMetaData()
                          .getDatabaseProductName()
                          .equals("PostgreSQL")
                      ? "BYTEA"
                      : "BLOB")
                  + " NOT NULL, PRIMARY KEY (hospital_id, kind))");
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
  private static final java.util.Comparator<Link> HMAC_ORDER =
      (a, b) -> java.util.Arrays.compareUnsigned(a.hmac, b.hmac);

  /** The surrogate of every local id, creating new ones for ids seen for the first time. */
  public synchronized Map<String, String> surrogates(
      String hospitalId, Kind kind, Collection<String> localIds) {
    // in key order: an insert then lands next to the previous one in the tree, and two concurrent
    // ingests of one hospital take PostgreSQL's row locks in the same order and wait for each
    // other instead of deadlocking; sorted in an array (a tree map of 100 k hashes cost more than
    // hashing them)
    Mac mac = mac();
    byte[] prefix =
        (hospitalId + '\u0000' + kind.name() + '\u0000').getBytes(StandardCharsets.UTF_8);
    Link[] hashed = new Link[localIds.size()];
    int count = 0;
    for (String localId : localIds) {
      mac.update(prefix);
      byte[] hmac =
          java.util.Arrays.copyOf(
              mac.doFinal(localId.getBytes(StandardCharsets.UTF_8)), ID_HASH_BYTES);
      hashed[count++] = new Link(hmac, localId);
    }
    Link[] sorted = sortedByHash(hashed, count);
    // an id given twice is linked once
    int distinct = 0;
    for (int i = 0; i < count; i++) {
      if (distinct == 0 || HMAC_ORDER.compare(sorted[distinct - 1], sorted[i]) != 0) {
        sorted[distinct++] = sorted[i];
      }
    }
    Link[] links = java.util.Arrays.copyOf(sorted, distinct);
    try {
      // a number for every id of the batch, also those linked before (a number is cheaper to waste
      // than a lookup of every id first): 2^32 numbers last a hospital with 10 million ids in every
      // monthly file for 35 years, and then the surrogates grow by a byte
      long first = numbers(hospitalId, kind, links.length);
      connection.setAutoCommit(false);
      Permutation permutation = new Permutation(subkey(hospitalId, kind));
      byte[][] candidates = permutation.surrogates(first, links.length);
      // ON CONFLICT DO NOTHING: an id linked before, or by a concurrent ingest, keeps its
      // surrogate;
      // the update count tells which candidates were stored, and only the others are looked up
      int[] stored;
      // the batch's constants as literals: two values bound a row instead of four (each bind
      // crosses JNI)
      try (PreparedStatement insert =
          connection.prepareStatement(
              "INSERT INTO id_links (id_hmac, hospital_id, kind, surrogate) VALUES (?, "
                  + literal(hospitalId)
                  + ", "
                  + literal(kind.prefix)
                  + ", ?) ON CONFLICT DO NOTHING")) {
        for (int i = 0; i < links.length; i++) {
          insert.setBytes(1, links[i].hmac());
          insert.setBytes(2, candidates[i]);
          insert.addBatch();
        }
        stored = insert.executeBatch();
      }
      Map<String, String> result = new HashMap<>(links.length * 4 / 3 + 1);
      List<Link> linkedBefore = new ArrayList<>();
      for (int i = 0; i < links.length; i++) {
        if (stored[i] == 1) {
          result.put(links[i].localId(), shown(kind, hospitalId, candidates[i]));
        } else {
          // 0: linked before; anything else (a driver that does not report counts): look it up
          linkedBefore.add(links[i]);
        }
      }
      lookUp(kind, hospitalId, linkedBefore, links, result);
      connection.commit();
      if (result.size() != links.length) {
        throw new IllegalStateException(
            "link vault returned " + result.size() + " surrogates for " + links.length + " ids");
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
      throw new MedlakeException(
          ErrorCode.STORAGE_ERROR, "Link vault failed: " + e.getMessage(), e);
    } finally {
      try {
        connection.setAutoCommit(true);
      } catch (SQLException ignored) {
        // connection is unusable anyway
      }
    }
  }

  /** The first {@code count} links in {@link #HMAC_ORDER}, through {@link #hashOrder}. */
  private static Link[] sortedByHash(Link[] links, int count) {
    byte[][] hashes = new byte[count][];
    for (int i = 0; i < count; i++) {
      hashes[i] = links[i].hmac();
    }
    int[] order = hashOrder(hashes);
    Link[] sorted = new Link[count];
    for (int i = 0; i < count; i++) {
      sorted[i] = links[order[i]];
    }
    return sorted;
  }

  /**
   * The positions of {@code hashes} (of at least 8 bytes each) in unsigned byte order. Sorted as
   * primitive longs, each a hash's leading bits with its position in the low bits, then runs with
   * equal leading bits (rare) in full: about a third of the time of sorting objects with a
   * comparator, which took about a tenth of the Java time of a 10 M-row ingest (JFR).
   */
  static int[] hashOrder(byte[][] hashes) {
    int count = hashes.length;
    int indexBits = Math.max(1, 64 - Long.numberOfLeadingZeros(Math.max(1, count - 1)));
    java.util.Comparator<Integer> full =
        (a, b) -> java.util.Arrays.compareUnsigned(hashes[a], hashes[b]);
    int[] order = new int[count];
    if (indexBits > 32) {
      throw new IllegalArgumentException("too many hashes: " + count);
    }
    long[] keys = new long[count];
    for (int i = 0; i < count; i++) {
      // the sign bit flipped: signed order of the keys is unsigned order of the leading bytes
      long leading = java.nio.ByteBuffer.wrap(hashes[i]).getLong() ^ Long.MIN_VALUE;
      keys[i] = leading >>> indexBits << indexBits | i;
    }
    java.util.Arrays.sort(keys);
    long indexMask = (1L << indexBits) - 1;
    for (int i = 0; i < count; i++) {
      order[i] = (int) (keys[i] & indexMask);
    }
    // equal leading bits are in the order of their positions so far: put them in full order
    for (int start = 0; start < count; ) {
      int end = start + 1;
      while (end < count && (keys[end] & ~indexMask) == (keys[start] & ~indexMask)) {
        end++;
      }
      if (end - start > 1) {
        Integer[] run = new Integer[end - start];
        for (int k = start; k < end; k++) {
          run[k - start] = order[k];
        }
        java.util.Arrays.sort(run, full);
        for (int k = start; k < end; k++) {
          order[k] = run[k - start];
        }
      }
      start = end;
    }
    return order;
  }

  /**
   * Takes {@code count} numbers of the hospital and kind and returns the first, in a transaction of
   * its own: concurrent ingests (SQLite's one writer, PostgreSQL's row lock on the counter) never
   * take the same number, and wait for each other only that long, not for each other's batches; a
   * batch that fails later wastes its numbers. Fails if the hospital's earlier surrogates were made
   * with another pseudonym key: its permutation could then give a number the surrogate another id
   * holds.
   */
  private long numbers(String hospitalId, Kind kind, int count) throws SQLException {
    connection.setAutoCommit(false);
    try {
      long first = takeNumbers(hospitalId, kind, count);
      connection.commit();
      return first;
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(true);
    }
  }

  private long takeNumbers(String hospitalId, Kind kind, int count) throws SQLException {
    byte[] keyCheck =
        java.util.Arrays.copyOf(
            mac().doFinal("surrogate-key-check".getBytes(StandardCharsets.UTF_8)), 8);
    try (PreparedStatement create =
            connection.prepareStatement(
                "INSERT INTO id_counters (hospital_id, kind, next_number, key_check) VALUES (?, ?, 0, ?) ON CONFLICT DO NOTHING");
        PreparedStatement take =
            connection.prepareStatement(
                "UPDATE id_counters SET next_number = next_number + ? WHERE hospital_id = ? AND kind = ?");
        PreparedStatement read =
            connection.prepareStatement(
                "SELECT next_number, key_check FROM id_counters WHERE hospital_id = ? AND kind = ?")) {
      create.setString(1, hospitalId);
      create.setString(2, kind.prefix);
      create.setBytes(3, keyCheck);
      create.executeUpdate();
      take.setLong(1, count);
      take.setString(2, hospitalId);
      take.setString(3, kind.prefix);
      take.executeUpdate();
      read.setString(1, hospitalId);
      read.setString(2, kind.prefix);
      try (ResultSet rows = read.executeQuery()) {
        rows.next();
        if (!java.util.Arrays.equals(rows.getBytes(2), keyCheck)) {
          throw new MedlakeException(
              ErrorCode.INVALID_CONFIG,
              "The pseudonym key is not the one the link vault's surrogates of hospital "
                  + hospitalId
                  + " were made with ("
                  + PseudonymKey.ENVIRONMENT_VARIABLE
                  + " or pseudonym.key)");
        }
        return rows.getLong(1) - count;
      }
    }
  }

  /**
   * The AES-128 key of the permutation of one hospital and kind: HMAC-SHA256 of the pseudonym key,
   * domain-separated from the id hashes.
   */
  private byte[] subkey(String hospitalId, Kind kind) {
    Mac mac = mac();
    return java.util.Arrays.copyOf(
        mac.doFinal(
            ("surrogate-permutation\u0000" + hospitalId + '\u0000' + kind.name())
                .getBytes(StandardCharsets.UTF_8)),
        16);
  }

  /**
   * A keyed permutation of the numbers below 2^32 (and of the next 2^40 below 2^40, ...): a
   * balanced Feistel network of {@link #FEISTEL_ROUNDS} rounds whose round function is AES-128 of
   * the round, the width and the right half, as NIST SP 800-38G's FF1 builds one. Distinct numbers
   * give distinct surrogates; without the key, which number a surrogate came from cannot be told.
   */
  static final class Permutation {
    private final javax.crypto.Cipher aes;

    Permutation(byte[] key) {
      try {
        aes = javax.crypto.Cipher.getInstance("AES/ECB/NoPadding");
        aes.init(javax.crypto.Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
      } catch (java.security.GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    /**
     * The surrogates of numbers {@code first} to {@code first + count - 1}, each of its width's
     * bytes.
     */
    byte[][] surrogates(long first, int count) {
      byte[][] surrogates = new byte[count][];
      // numbers of one width side by side, so that each round is one AES call over all of them
      int from = 0;
      while (from < count) {
        long number = first + from;
        int width = SURROGATE_BYTES;
        long start = 0;
        while (number - start >= 1L << (8 * width)) {
          start += 1L << (8 * width);
          width++;
          if (width > 7) {
            throw new IllegalStateException(
                "link vault: number " + number + " is beyond the surrogates' widths");
          }
        }
        int to = (int) Math.min(count, from + (start + (1L << (8 * width)) - number));
        long[] values = new long[to - from];
        for (int i = 0; i < values.length; i++) {
          values[i] = number - start + i;
        }
        permute(values, width);
        for (int i = 0; i < values.length; i++) {
          byte[] bytes = new byte[width];
          for (int b = 0; b < width; b++) {
            bytes[b] = (byte) (values[i] >>> (8 * (width - 1 - b)));
          }
          surrogates[from + i] = bytes;
        }
        from = to;
      }
      return surrogates;
    }

    /** Applies the network to {@code values} (each below 2^(8 width)) in place. */
    private void permute(long[] values, int width) {
      int half = 4 * width;
      long mask = (1L << half) - 1;
      byte[] blocks = new byte[16 * values.length];
      for (int round = 0; round < FEISTEL_ROUNDS; round++) {
        for (int i = 0; i < values.length; i++) {
          int at = 16 * i;
          java.util.Arrays.fill(blocks, at, at + 16, (byte) 0);
          blocks[at] = (byte) round;
          blocks[at + 1] = (byte) width;
          long right = values[i] & mask;
          for (int b = 0; b < 8; b++) {
            blocks[at + 8 + b] = (byte) (right >>> (8 * (7 - b)));
          }
        }
        byte[] out;
        try {
          out = aes.doFinal(blocks);
        } catch (java.security.GeneralSecurityException e) {
          throw new IllegalStateException(e);
        }
        for (int i = 0; i < values.length; i++) {
          long f = 0;
          for (int b = 0; b < 8; b++) {
            f = (f << 8) | (out[16 * i + b] & 0xff);
          }
          long left = values[i] >>> half;
          long right = values[i] & mask;
          values[i] = (right << half) | ((left ^ f) & mask);
        }
      }
    }
  }

  /**
   * The stored surrogates of ids linked before, a few hundred keys a query; {@code links} is
   * sorted.
   */
  private void lookUp(
      Kind kind,
      String hospitalId,
      List<Link> linkedBefore,
      Link[] links,
      Map<String, String> result)
      throws SQLException {
    int chunk = 500;
    for (int from = 0; from < linkedBefore.size(); from += chunk) {
      List<Link> keys = linkedBefore.subList(from, Math.min(linkedBefore.size(), from + chunk));
      String placeholders = String.join(", ", java.util.Collections.nCopies(keys.size(), "?"));
      try (PreparedStatement select =
          connection.prepareStatement(
              "SELECT id_hmac, surrogate FROM id_links WHERE id_hmac IN (" + placeholders + ")")) {
        for (int i = 0; i < keys.size(); i++) {
          select.setBytes(i + 1, keys.get(i).hmac());
        }
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            int at =
                java.util.Arrays.binarySearch(links, new Link(rows.getBytes(1), ""), HMAC_ORDER);
            result.put(links[at].localId(), shown(kind, hospitalId, rows.getBytes(2)));
          }
        }
      }
    }
  }

  /** A SQL string literal (SQLite and PostgreSQL). */
  private static String literal(String value) {
    return "'" + value.replace("'", "''") + "'";
  }

  /**
   * The surrogate as the lake shows it: that of a link made before 2026-12 (10 random bytes) as the
   * kind's prefix and the bytes in hex, as ever; that of a newer link as the prefix, the hospital
   * and the bytes in hex, dot-separated, so that it is unique across hospitals (the bytes are
   * unique only within one) and never equals one of the older form.
   */
  static String shown(Kind kind, String hospitalId, byte[] bytes) {
    String hex = HexFormat.of().formatHex(bytes);
    return bytes.length == FIRST_SURROGATE_BYTES
        ? kind.prefix + hex
        : kind.prefix + "." + hospitalId + "." + hex;
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
      throw new MedlakeException(
          ErrorCode.STORAGE_ERROR, "Cannot close link vault: " + e.getMessage(), e);
    }
  }
}
