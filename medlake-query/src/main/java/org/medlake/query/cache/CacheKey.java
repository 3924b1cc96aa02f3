package org.medlake.query.cache;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Builds cache keys from (normalized query, parameters, caller policy, snapshot ids read). */
public final class CacheKey {
  private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  });

  private CacheKey() {}

  public static String of(String normalizedSql, List<Object> parameters, String policy, Map<String, Long> snapshotIds) {
    StringBuilder text = new StringBuilder(normalizedSql.length() + 128);
    text.append(normalizedSql).append('\u0000');
    for (Object parameter : parameters) {
      text.append(parameter == null ? "null" : parameter.getClass().getSimpleName() + ":" + parameter).append('\u0001');
    }
    text.append('\u0000').append(policy).append('\u0000').append(snapshotIds instanceof TreeMap ? snapshotIds : new TreeMap<>(snapshotIds));
    MessageDigest digest = SHA_256.get();
    digest.reset();
    return "q:" + HexFormat.of().formatHex(digest.digest(text.toString().getBytes(StandardCharsets.UTF_8)));
  }
}
