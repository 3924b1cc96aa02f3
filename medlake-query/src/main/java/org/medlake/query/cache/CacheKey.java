package org.medlake.query.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Builds cache keys from (normalized query, parameters, caller policy, snapshot ids read). */
public final class CacheKey {
  /**
   * The digest after the statement part of the key, per (SQL, parameters): a repeated query hashes
   * only its policy and snapshot ids. Never updated in place; each key works on a clone.
   */
  private static final Cache<Statement, MessageDigest> STATEMENTS =
      Caffeine.newBuilder().maximumSize(10_000).build();

  private CacheKey() {}

  public static String of(
      String normalizedSql, List<Object> parameters, String policy, Map<String, Long> snapshotIds) {
    MessageDigest digest =
        copy(
            STATEMENTS.get(
                new Statement(
                    normalizedSql, Collections.unmodifiableList(new ArrayList<>(parameters))),
                CacheKey::statementDigest));
    String rest =
        policy
            + '\u0000'
            + (snapshotIds instanceof TreeMap ? snapshotIds : new TreeMap<>(snapshotIds));
    return "q:" + HexFormat.of().formatHex(digest.digest(rest.getBytes(StandardCharsets.UTF_8)));
  }

  private static MessageDigest statementDigest(Statement statement) {
    StringBuilder text = new StringBuilder(statement.sql().length() + 64);
    text.append(statement.sql()).append('\u0000');
    for (Object parameter : statement.parameters()) {
      text.append(
              parameter == null ? "null" : parameter.getClass().getSimpleName() + ":" + parameter)
          .append('\u0001');
    }
    text.append('\u0000');
    MessageDigest digest = sha256();
    digest.update(text.toString().getBytes(StandardCharsets.UTF_8));
    return digest;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static MessageDigest copy(MessageDigest digest) {
    try {
      return (MessageDigest) digest.clone();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("SHA-256 digests of this JDK cannot be cloned", e);
    }
  }

  /**
   * The parameters are a copy (they may hold nulls), so that a caller's list cannot change a
   * memoized key.
   */
  private record Statement(String sql, List<Object> parameters) {}
}
