package org.medlake.flight;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.Collections;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.ValidationException;

/**
 * The HTTP server's PKCS12 keystore as the PEM certificate chain and PKCS#8 key that Flight's TLS
 * takes, converted in memory (no key file is written).
 */
public record FlightTls(byte[] certificateChain, byte[] privateKey) {
  public FlightTls {
    certificateChain = certificateChain.clone();
    privateKey = privateKey.clone();
  }

  /** The first key entry of {@code keystore} and its chain. */
  public static FlightTls fromPkcs12(Path keystore, char[] password) {
    try (InputStream in = Files.newInputStream(keystore)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password);
      for (String alias : Collections.list(store.aliases())) {
        if (!store.isKeyEntry(alias)) {
          continue;
        }
        Key key = store.getKey(alias, password);
        Certificate[] chain = store.getCertificateChain(alias);
        if (key instanceof PrivateKey privateKey && chain != null && chain.length > 0) {
          StringBuilder certificates = new StringBuilder();
          for (Certificate certificate : chain) {
            certificates.append(pem("CERTIFICATE", certificate.getEncoded()));
          }
          return new FlightTls(
              certificates.toString().getBytes(StandardCharsets.US_ASCII),
              pem("PRIVATE KEY", privateKey.getEncoded()).getBytes(StandardCharsets.US_ASCII));
        }
      }
      throw new ValidationException(
          ErrorCode.INVALID_CONFIG,
          "server.tls-keystore: " + keystore.getFileName() + " holds no private key with a chain");
    } catch (IOException | GeneralSecurityException e) {
      throw new ValidationException(
          ErrorCode.INVALID_CONFIG,
          "server.tls-keystore: cannot read "
              + keystore.getFileName()
              + " for Flight SQL: "
              + e.getMessage());
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
