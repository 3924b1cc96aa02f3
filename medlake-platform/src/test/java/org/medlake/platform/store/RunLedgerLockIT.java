package org.medlake.platform.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;
import org.medlake.platform.store.Concurrently.Outcome;

/**
 * {@link RunLedger#exclusively} on both platform databases: a look-up and the run it records do not
 * interleave across pools (as two server processes have), and a lock held by another process keeps
 * this one waiting until that process lets go.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {PlatformDatabases.SQLITE, PlatformDatabases.POSTGRESQL})
class RunLedgerLockIT {
  private static final String NAME = "trigger h009/2024-01";

  @Parameter String kind;

  @TempDir Path directory;

  private PlatformDatabases databases;
  private PlatformDatabase first;
  private PlatformDatabase second;

  @BeforeEach
  void open() {
    databases = PlatformDatabases.create(kind, directory);
    first = databases.open(Clock.systemUTC());
    second = databases.open(Clock.systemUTC());
  }

  @AfterEach
  void close() {
    first.close();
    second.close();
  }

  @Test
  void aLookUpAndTheRunItRecordsDoNotInterleaveAcrossPools() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    List<Outcome<String>> outcomes =
        Concurrently.run(
            16,
            () -> {
              RunLedger ledger = calls.incrementAndGet() % 2 == 0 ? first.runs() : second.runs();
              return ledger.exclusively(NAME, () -> queueUnlessQueued(ledger));
            });

    assertThat(outcomes).allSatisfy(outcome -> assertThat(outcome.failure()).isNull());
    assertThat(outcomes).extracting(Outcome::value).containsOnly(first.runs().list().get(0).id());
    assertThat(first.runs().list()).hasSize(1);
  }

  @Test
  void anotherNameIsTakenWhileOneIsHeld() throws Exception {
    try (Held held = new Held(first)) {
      assertThat(second.runs().exclusively("trigger h009/2024-02", () -> "second"))
          .isEqualTo("second");
      assertThat(held.release()).isEqualTo("first");
    }
  }

  @Test
  // an unbounded wait fails here instead of hanging
  @Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aLockHeldLongerThanTheWaitIsAOneLineErrorNotAnEndlessWait() throws Exception {
    try (Held held = new Held(first)) {
      PlatformLocks impatient = new PlatformLocks(second.connections(), Duration.ofMillis(300));
      assertThatThrownBy(() -> impatient.exclusively(NAME, () -> "second"))
          .isInstanceOf(MedlakeException.class)
          .hasMessage(
              "Lock '" + NAME + "' is held by another process for more than 0 s; try again later");
      assertThat(held.release()).isEqualTo("first");
      // once let go, the same lock is taken at once
      assertThat(impatient.exclusively(NAME, () -> "second")).isEqualTo("second");
    }
  }

  /** {@link #NAME} held through {@code database} on a thread of its own until released. */
  private static final class Held implements AutoCloseable {
    private final CountDownLatch release = new CountDownLatch(1);
    private final ExecutorService executor = Executors.newSingleThreadExecutor();
    private final Future<String> holder;

    Held(PlatformDatabase database) throws InterruptedException {
      CountDownLatch held = new CountDownLatch(1);
      holder =
          executor.submit(
              () ->
                  database
                      .runs()
                      .exclusively(
                          NAME,
                          () -> {
                            held.countDown();
                            awaitUninterruptibly(release);
                            return "first";
                          }));
      held.await();
    }

    /** Lets go of the lock and returns what the holder's action returned. */
    String release() throws Exception {
      release.countDown();
      return holder.get(2, TimeUnit.MINUTES);
    }

    @Override
    public void close() {
      release.countDown();
      executor.shutdownNow();
    }
  }

  @Test
  void aLockHeldByAnotherProcessKeepsThisOneWaitingUntilItLetsGo() throws Exception {
    Path released = directory.resolve("released");
    Process holder = LockHolder.start(databases, NAME, released, directory.resolve("holder.log"));
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try (BufferedReader out =
            new BufferedReader(
                new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
        Writer in = new OutputStreamWriter(holder.getOutputStream(), StandardCharsets.UTF_8)) {
      assertThat(out.readLine()).isEqualTo(LockHolder.HELD);
      Future<Boolean> waiter =
          executor.submit(() -> first.runs().exclusively(NAME, () -> Files.exists(released)));
      // the holder lets go only after this process asked: its action must see the holder's marker
      in.write("release\n");
      in.flush();
      assertThat(waiter.get(2, TimeUnit.MINUTES)).isTrue();
      assertThat(holder.waitFor(2, TimeUnit.MINUTES)).isTrue();
      assertThat(holder.exitValue()).isZero();
    } finally {
      executor.shutdownNow();
      holder.destroyForcibly();
    }
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A trigger's look-up and write: the name's queued run, else a new one. */
  private static String queueUnlessQueued(RunLedger ledger) {
    Optional<IngestRun> queued =
        ledger.list().stream().filter(run -> run.status() == RunStatus.QUEUED).findFirst();
    if (queued.isPresent()) {
      return queued.get().id();
    }
    String id = "run-" + System.nanoTime() + "-" + Thread.currentThread().getId();
    ledger.record(
        new IngestRun(
            id,
            "landing/h009/2024-01/a.csv",
            "h009",
            "",
            "H009",
            "2024-01",
            RunStatus.QUEUED,
            Instant.now(),
            0,
            0,
            0,
            0,
            Map.of(),
            0,
            0,
            0,
            null,
            ""));
    return id;
  }

  /**
   * Holds a lock in a process of its own: prints {@link #HELD} once it holds it, then waits for a
   * line on stdin, creates the marker file and lets go.
   */
  public static final class LockHolder {
    static final String HELD = "held";

    private LockHolder() {}

    public static void main(String[] args) throws Exception {
      Path database = Path.of(args[0]);
      String name = args[1];
      Path marker = Path.of(args[2]);
      try (PlatformDatabase platform =
          Files.isDirectory(database)
              ? PlatformDatabase.open(MedlakeHome.open(database))
              : PlatformDatabase.open(database)) {
        platform
            .runs()
            .exclusively(
                name,
                () -> {
                  System.out.println(HELD);
                  System.out.flush();
                  try {
                    new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                        .readLine();
                    Files.createFile(marker);
                  } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                  return null;
                });
      }
    }

    static Process start(PlatformDatabases databases, String name, Path marker, Path log)
        throws java.io.IOException {
      String classpath =
          System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
      List<String> command =
          new ArrayList<>(
              List.of(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Xmx256m",
                  "-cp",
                  classpath,
                  LockHolder.class.getName(),
                  databases.location().toString(),
                  name,
                  marker.toString()));
      return new ProcessBuilder(command).redirectError(log.toFile()).start();
    }
  }
}
