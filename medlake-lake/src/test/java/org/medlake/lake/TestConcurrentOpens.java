package org.medlake.lake;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;

/**
 * Threads of one JVM open the same home's lakehouse at once, as two Spark tasks in one executor do:
 * the set-up lock is taken in-process before the file lock, which one JVM cannot hold twice (a
 * second {@code FileChannel.lock} on the same file threw OverlappingFileLockException).
 */
class TestConcurrentOpens {
  @TempDir Path directory;

  @Test
  void threadsOfOneProcessOpenOneHomeAtOnce() throws Exception {
    MedlakeHome home = MedlakeHome.open(directory.resolve("home"));
    int threads = 4;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<String>> opened = new ArrayList<>();
      for (int thread = 0; thread < threads; thread++) {
        opened.add(
            pool.submit(
                () -> {
                  start.await();
                  String name = null;
                  for (int open = 0; open < 3; open++) {
                    try (Lakehouse lakehouse = Lakehouse.open(home)) {
                      name = lakehouse.labResults().name();
                    }
                  }
                  return name;
                }));
      }
      start.countDown();
      for (Future<String> future : opened) {
        assertThat(future.get()).endsWith("lab_results");
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
