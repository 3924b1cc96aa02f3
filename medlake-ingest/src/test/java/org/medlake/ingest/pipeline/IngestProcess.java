package org.medlake.ingest.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.medlake.core.config.MedlakeHome;

/**
 * Ingests paths into a home in a process of its own, so that tests can kill it or run two at once.
 */
public final class IngestProcess {
  private IngestProcess() {}

  public static void main(String[] args) {
    MedlakeHome home = MedlakeHome.open(Path.of(args[0]));
    List<Path> paths = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      paths.add(Path.of(args[i]));
    }
    try (IngestService service = IngestService.open(home, ProgressListener.NONE)) {
      service.ingest(service.discover(paths, Optional.empty(), Optional.empty()));
    }
  }

  static Process start(Path home, String logName, Path... paths) throws IOException {
    String classpath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                javaTemporaryDirectory(home),
                "-cp",
                classpath,
                IngestProcess.class.getName(),
                home.toString()));
    for (Path path : paths) {
      command.add(path.toString());
    }
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(home.resolve(logName).toFile())
        .start();
  }

  /**
   * The process's java.io.tmpdir inside the home: DuckDB unpacks its 57 MB native library there on
   * every start and deletes it only at a normal exit, so each killed process would leave one in
   * /tmp.
   */
  static String javaTemporaryDirectory(Path home) throws IOException {
    return "-Djava.io.tmpdir=" + java.nio.file.Files.createDirectories(home.resolve("jvm-tmp"));
  }
}
