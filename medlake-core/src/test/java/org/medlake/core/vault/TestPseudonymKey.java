package org.medlake.core.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.error.MedlakeException;

class TestPseudonymKey {
  @RepeatedTest(20)
  void concurrentFirstUsesAllGetTheOneKey(@TempDir Path home) throws Exception {
    Path keyFile = home.resolve("pseudonym.key");
    int callers = 8;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try {
      List<Future<byte[]>> keys = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        keys.add(
            pool.submit(
                () -> {
                  start.await();
                  return PseudonymKey.load(keyFile, Optional.empty());
                }));
      }
      start.countDown();
      byte[] first = keys.get(0).get();
      assertThat(first).hasSize(32);
      for (Future<byte[]> key : keys) {
        assertThat(key.get()).isEqualTo(first);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)))
        .isEqualTo("rw-------");
    // no temporary key file is left behind
    try (var files = Files.list(home)) {
      assertThat(files).containsExactly(keyFile);
    }
    assertThat(PseudonymKey.load(keyFile, Optional.empty()))
        .isEqualTo(PseudonymKey.load(keyFile, Optional.empty()));
  }

  @Test
  void aProcessThatMustUseTheExistingKeyNeverMakesOne(@TempDir Path home) {
    Path keyFile = home.resolve("pseudonym.key");
    assertThatThrownBy(() -> PseudonymKey.loadExisting(keyFile, Optional.empty()))
        .isInstanceOf(MedlakeException.class)
        .hasMessage(
            "No pseudonym key: "
                + keyFile
                + " does not exist and MEDLAKE_PSEUDONYM_KEY is not set");
    assertThat(keyFile).doesNotExist();
    assertThat(PseudonymKey.loadExisting(keyFile, Optional.of("a key of sixteen or more")))
        .asString()
        .isEqualTo("a key of sixteen or more");
    byte[] generated = PseudonymKey.load(keyFile, Optional.empty());
    assertThat(PseudonymKey.loadExisting(keyFile, Optional.empty())).isEqualTo(generated);
  }
}
