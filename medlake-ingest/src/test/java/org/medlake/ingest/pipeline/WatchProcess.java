package org.medlake.ingest.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.medlake.core.config.MedlakeHome;
import org.medlake.ingest.watch.DirectoryLandingEvents;
import org.medlake.ingest.watch.LandingWatcher;
import org.medlake.ingest.watch.RunListener;

/** Watches a home's landing zone in a process of its own, until killed. */
public final class WatchProcess {
  private WatchProcess() {}

  public static void main(String[] args) throws InterruptedException {
    MedlakeHome home = MedlakeHome.open(Path.of(args[0]));
    IngestService service = IngestService.open(home, ProgressListener.NONE);
    LandingWatcher watcher =
        new LandingWatcher(
            service,
            new DirectoryLandingEvents(
                home.landing(), Duration.ofMillis(200), Duration.ofSeconds(1), Clock.systemUTC()),
            RunListener.NONE);
    watcher.start();
    Thread.currentThread().join();
  }

  static Process start(Path home, String logName) throws IOException {
    String classpath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                IngestProcess.javaTemporaryDirectory(home),
                "-cp",
                classpath,
                WatchProcess.class.getName(),
                home.toString()));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(home.resolve(logName).toFile())
        .start();
  }
}
