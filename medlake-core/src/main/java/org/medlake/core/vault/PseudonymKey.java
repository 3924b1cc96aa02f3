package org.medlake.core.vault;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;

/**
 * The secret of the keyed hashes in the link vault: {@code MEDLAKE_PSEUDONYM_KEY} when set, else
 * {@code pseudonym.key} in the home, generated once with owner-only permissions.
 */
public final class PseudonymKey {
  public static final String ENVIRONMENT_VARIABLE = "MEDLAKE_PSEUDONYM_KEY";
  private static final int MINIMUM_BYTES = 16;

  private PseudonymKey() {}

  /**
   * Writes a new key to a private temporary file and links it into place, which fails if the key
   * exists: the key file appears complete or not at all, and when two processes start at once the
   * second uses the first one's key (a plain create-then-write let it read the empty file).
   */
  private static void generate(Path keyFile) throws IOException {
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    Path temporary =
        Files.createTempFile(
            keyFile.toAbsolutePath().getParent(),
            ".pseudonym-",
            ".key",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      Files.writeString(temporary, Base64.getEncoder().encodeToString(random) + "\n");
      Files.createLink(keyFile, temporary);
    } catch (FileAlreadyExistsException raced) {
      // another process generated it first; use theirs
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  public static byte[] load(Path keyFile, Optional<String> fromEnvironment) {
    return load(keyFile, fromEnvironment, true);
  }

  /**
   * As {@link #load}, but never generates a key: for a process that must use the key an
   * installation already has (a Spark executor), where a new key would silently give every patient
   * new surrogates.
   */
  public static byte[] loadExisting(Path keyFile, Optional<String> fromEnvironment) {
    return load(keyFile, fromEnvironment, false);
  }

  private static byte[] load(
      Path keyFile, Optional<String> fromEnvironment, boolean generateMissing) {
    if (fromEnvironment.isPresent() && !fromEnvironment.get().isBlank()) {
      byte[] key = fromEnvironment.get().trim().getBytes(StandardCharsets.UTF_8);
      if (key.length < MINIMUM_BYTES) {
        throw new MedlakeException(
            ErrorCode.INVALID_CONFIG,
            ENVIRONMENT_VARIABLE + " must be at least " + MINIMUM_BYTES + " characters");
      }
      return key;
    }
    try {
      if (!Files.exists(keyFile)) {
        if (!generateMissing) {
          throw new MedlakeException(
              ErrorCode.INVALID_CONFIG,
              "No pseudonym key: "
                  + keyFile
                  + " does not exist and "
                  + ENVIRONMENT_VARIABLE
                  + " is not set");
        }
        generate(keyFile);
      }
      String text = Files.readString(keyFile).trim();
      if (text.isEmpty()) {
        throw new MedlakeException(ErrorCode.INVALID_CONFIG, keyFile + " is empty");
      }
      return Base64.getDecoder().decode(text);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read pseudonym key " + keyFile, e);
    } catch (IllegalArgumentException e) {
      throw new MedlakeException(ErrorCode.INVALID_CONFIG, keyFile + " does not hold a base64 key");
    }
  }
}
