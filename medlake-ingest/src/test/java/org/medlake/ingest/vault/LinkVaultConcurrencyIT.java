package org.medlake.ingest.vault;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.vault.LinkVault;
import org.medlake.platform.store.RunLedger;
import org.medlake.testkit.PostgresServer;

/**
 * Several ingests (separate ledger and vault connections, as on several machines) open the platform
 * tables of a fresh database at once, then link overlapping ids of one hospital at the same time,
 * in different orders: every id gets one surrogate, all see the same one, and none fails (no race
 * on table creation or deadlock on PostgreSQL, no busy error on SQLite).
 */
class LinkVaultConcurrencyIT {
  private static final byte[] KEY =
      "0123456789abcdef0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.UTF_8);
  private static final int WRITERS = 3;
  private static final int BATCHES = 8;
  private static final int BATCH_SIZE = 2_000;
  private static final int DISTINCT_IDS = 6_000;

  @TempDir Path directory;

  @Test
  void postgresVaultsShareOneSurrogatePerId() throws Exception {
    try (PostgresServer postgres = PostgresServer.start()) {
      String url = postgres.createDatabase("vault");
      List<MedlakeHome> homes = new ArrayList<>();
      for (int writer = 0; writer < WRITERS; writer++) {
        Path root = directory.resolve("pg-" + writer);
        Files.createDirectories(root);
        Files.writeString(
            root.resolve("medlake.yaml"),
            "platform:\n  jdbc-url: %s\n  jdbc-user: %s\n".formatted(url, PostgresServer.USER));
        homes.add(MedlakeHome.open(root));
      }
      checkConcurrentLinking(homes);
    }
  }

  @Test
  void sqliteVaultsShareOneSurrogatePerId() throws Exception {
    MedlakeHome home = MedlakeHome.open(directory.resolve("sqlite"));
    checkConcurrentLinking(Collections.nCopies(WRITERS, home));
  }

  private static void checkConcurrentLinking(List<MedlakeHome> homes) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(homes.size());
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Map<String, String>>> results = new ArrayList<>();
    for (int writer = 0; writer < homes.size(); writer++) {
      MedlakeHome home = homes.get(writer);
      Random random = new Random(writer);
      results.add(
          pool.submit(
              () -> {
                Map<String, String> seen = new HashMap<>();
                try (RunLedger ledger = RunLedger.open(home);
                    LinkVault vault = LinkVault.open(home, KEY)) {
                  start.await();
                  for (int batch = 0; batch < BATCHES; batch++) {
                    List<String> ids = new ArrayList<>();
                    for (int i = 0; i < BATCH_SIZE; i++) {
                      ids.add("patient-" + random.nextInt(DISTINCT_IDS));
                    }
                    seen.putAll(vault.surrogates("H001", LinkVault.Kind.PATIENT, ids));
                  }
                }
                return seen;
              }));
    }
    start.countDown();
    Map<String, String> union = new HashMap<>();
    for (Future<Map<String, String>> result : results) {
      for (Map.Entry<String, String> link : result.get().entrySet()) {
        String earlier = union.putIfAbsent(link.getKey(), link.getValue());
        assertThat(earlier == null || earlier.equals(link.getValue())).as(link.getKey()).isTrue();
      }
    }
    pool.shutdown();
    assertThat(new HashSet<>(union.values())).hasSameSizeAs(union.keySet());
    // 4 bytes (more only after 2^32 numbers of the hospital and kind)
    assertThat(union.values())
        .allMatch(surrogate -> surrogate.matches("p\\.H001\\.([0-9a-f]{2}){4,9}"));
    try (LinkVault vault = LinkVault.open(homes.get(0), KEY)) {
      assertThat(vault.surrogates("H001", LinkVault.Kind.PATIENT, union.keySet())).isEqualTo(union);
    }
  }
}
