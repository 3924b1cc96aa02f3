package org.medlake.platform.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.junit.jupiter.api.Test;
import org.medlake.core.error.MedlakeException;

class TestPasswordHasher {
  private final PasswordHasher hasher = new PasswordHasher();

  @Test
  void generatorMatchesRfc9106Argon2idVector() {
    // RFC 9106, section 5.3
    byte[] password = filled(32, 0x01);
    Argon2Parameters parameters =
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withMemoryAsKB(32)
            .withIterations(3)
            .withParallelism(4)
            .withSalt(filled(16, 0x02))
            .withSecret(filled(8, 0x03))
            .withAdditional(filled(12, 0x04))
            .build();
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(parameters);
    byte[] tag = new byte[32];
    generator.generateBytes(password, tag);

    assertThat(HexFormat.of().formatHex(tag))
        .isEqualTo("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659");
  }

  @Test
  void argon2idMatchesReferenceImplementationVector() {
    // from the reference implementation's test suite (phc-winner-argon2 src/test.c), argon2id v=19
    byte[] hash =
        PasswordHasher.argon2id("password".toCharArray(), "somesalt".getBytes(), 65_536, 2, 1, 32);

    assertThat(HexFormat.of().formatHex(hash))
        .isEqualTo("09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7");
  }

  @Test
  void verifiesPhcStringsOfTheReferenceImplementation() {
    assertThat(
            hasher.verify(
                "password".toCharArray(),
                "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"))
        .isTrue();
    // `echo -n "correct horse battery staple" | argon2 0123456789abcdef -id -t 2 -k 19456 -p 1 -l
    // 32 -e`
    String owasp =
        "$argon2id$v=19$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$gy5SuVm5Z7Vw7keB9se9p87QGcomaseB/S2U1OhTsM0";
    assertThat(hasher.verify("correct horse battery staple".toCharArray(), owasp)).isTrue();
    assertThat(hasher.verify("correct horse battery stapler".toCharArray(), owasp)).isFalse();
  }

  @Test
  void hashesAtOwaspParametersWithRandomSalt() {
    String first = hasher.hash("correct horse battery staple".toCharArray());
    String second = hasher.hash("correct horse battery staple".toCharArray());

    assertThat(first)
        .matches("\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
    assertThat(first).isNotEqualTo(second);
  }

  @Test
  void roundTrip() {
    char[] password = "Grüße aus Zürich, 日本".toCharArray();
    String phc = hasher.hash(password);

    assertThat(hasher.verify(password, phc)).isTrue();
    assertThat(password).isEqualTo("Grüße aus Zürich, 日本".toCharArray());
  }

  @Test
  void rejectsWrongPassword() {
    String phc = hasher.hash("correct horse battery staple".toCharArray());

    assertThat(hasher.verify("correct horse battery stapl".toCharArray(), phc)).isFalse();
    assertThat(hasher.verify("".toCharArray(), phc)).isFalse();
  }

  @Test
  void refusesMalformedOrUnsafeHashesWithoutEchoingThem() {
    char[] password = "password".toCharArray();

    assertThatThrownBy(() -> hasher.verify(password, "$2y$10$abcdefghijklmnopqrstuv"))
        .isInstanceOf(MedlakeException.class)
        .hasMessage("Stored password hash is not an argon2id v=19 PHC string");
    assertThatThrownBy(
            () ->
                hasher.verify(
                    password,
                    "$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"))
        .isInstanceOf(MedlakeException.class)
        .hasMessage("Stored password hash is not an argon2id v=19 PHC string");
    assertThatThrownBy(
            () ->
                hasher.verify(
                    password,
                    "$argon2id$v=19$m=99999999,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"))
        .isInstanceOf(MedlakeException.class)
        .hasMessage("Stored password hash has unsupported parameters m=99999999,t=2,p=1");
  }

  private static byte[] filled(int length, int value) {
    byte[] bytes = new byte[length];
    Arrays.fill(bytes, (byte) value);
    return bytes;
  }
}
