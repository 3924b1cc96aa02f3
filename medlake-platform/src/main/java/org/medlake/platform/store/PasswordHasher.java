package org.medlake.platform.store;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;

/**
 * Argon2id password hashes in the PHC string format, at the OWASP parameters (19 MiB, 2 passes, one
 * lane). Verification uses the parameters stored in the hash, so older hashes keep working when the
 * parameters are raised.
 */
public final class PasswordHasher {
  public static final int MEMORY_KIB = 19_456;
  public static final int ITERATIONS = 2;
  public static final int PARALLELISM = 1;
  public static final int SALT_BYTES = 16;
  public static final int HASH_BYTES = 32;

  private static final Pattern PHC =
      Pattern.compile(
          "\\$argon2id\\$v=19\\$m=(\\d{1,8}),t=(\\d{1,4}),p=(\\d{1,3})\\$([A-Za-z0-9+/]{11,64})\\$([A-Za-z0-9+/]{22,128})");
  // bounds a tampered or corrupted hash so that verifying it cannot exhaust memory or time
  private static final int MAX_MEMORY_KIB = 1 << 20;
  private static final int MAX_ITERATIONS = 64;
  private static final int MAX_PARALLELISM = 16;

  private static final Base64.Encoder ENCODER = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getDecoder();

  private final SecureRandom random;

  public PasswordHasher() {
    this(new SecureRandom());
  }

  PasswordHasher(SecureRandom random) {
    this.random = requireNonNull(random, "random is null");
  }

  /** A new PHC string {@code $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>} with a random salt. */
  public String hash(char[] password) {
    requireNonNull(password, "password is null");
    byte[] salt = new byte[SALT_BYTES];
    random.nextBytes(salt);
    byte[] hash = argon2id(password, salt, MEMORY_KIB, ITERATIONS, PARALLELISM, HASH_BYTES);
    return "$argon2id$v=19$m="
        + MEMORY_KIB
        + ",t="
        + ITERATIONS
        + ",p="
        + PARALLELISM
        + "$"
        + ENCODER.encodeToString(salt)
        + "$"
        + ENCODER.encodeToString(hash);
  }

  /**
   * Whether {@code password} matches the PHC string; compares in constant time.
   *
   * @throws MedlakeException if {@code phc} is not an argon2id (version 19) PHC string
   */
  public boolean verify(char[] password, String phc) {
    requireNonNull(password, "password is null");
    requireNonNull(phc, "phc is null");
    Matcher matcher = PHC.matcher(phc);
    if (!matcher.matches()) {
      // the value stays out of the message: it is a password hash
      throw new MedlakeException(
          ErrorCode.INTERNAL_ERROR, "Stored password hash is not an argon2id v=19 PHC string");
    }
    int memory = Integer.parseInt(matcher.group(1));
    int iterations = Integer.parseInt(matcher.group(2));
    int parallelism = Integer.parseInt(matcher.group(3));
    if (memory > MAX_MEMORY_KIB
        || iterations < 1
        || iterations > MAX_ITERATIONS
        || parallelism < 1
        || parallelism > MAX_PARALLELISM
        || memory < 8 * parallelism) {
      throw new MedlakeException(
          ErrorCode.INTERNAL_ERROR,
          "Stored password hash has unsupported parameters m="
              + memory
              + ",t="
              + iterations
              + ",p="
              + parallelism);
    }
    byte[] salt;
    byte[] expected;
    try {
      salt = DECODER.decode(matcher.group(4));
      expected = DECODER.decode(matcher.group(5));
    } catch (IllegalArgumentException e) {
      throw new MedlakeException(
          ErrorCode.INTERNAL_ERROR, "Stored password hash has invalid base64", e);
    }
    byte[] actual = argon2id(password, salt, memory, iterations, parallelism, expected.length);
    return MessageDigest.isEqual(expected, actual);
  }

  static byte[] argon2id(
      char[] password, byte[] salt, int memoryKib, int iterations, int parallelism, int length) {
    Argon2Parameters parameters =
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withMemoryAsKB(memoryKib)
            .withIterations(iterations)
            .withParallelism(parallelism)
            .withSalt(salt)
            .build();
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(parameters);
    byte[] passwordBytes = utf8(password);
    try {
      byte[] hash = new byte[length];
      generator.generateBytes(passwordBytes, hash);
      return hash;
    } finally {
      Arrays.fill(passwordBytes, (byte) 0);
    }
  }

  // encodes without an intermediate String, so the copy can be wiped
  private static byte[] utf8(char[] password) {
    ByteBuffer buffer = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    if (buffer.hasArray()) {
      Arrays.fill(buffer.array(), (byte) 0);
    }
    return bytes;
  }
}
