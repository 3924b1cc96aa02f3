package org.medlake.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Runs the CLI in process against a home, capturing its exit code and output. */
final class Cli {
  record Result(int exitCode, String out, String err) {}

  private Cli() {}

  static Result run(Path home, String... arguments) {
    return run(org.medlake.core.config.Environment.empty(), home, arguments);
  }

  /** As {@link #run(Path, String...)}, with the given process environment. */
  static Result run(
      org.medlake.core.config.Environment environment, Path home, String... arguments) {
    String[] all =
        Stream.concat(Stream.of("--home", home.toString()), Stream.of(arguments))
            .toArray(String[]::new);
    PrintStream originalOut = System.out;
    PrintStream originalErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int exitCode = MedlakeCommand.execute(environment, all);
      return new Result(
          exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(originalOut);
      System.setErr(originalErr);
    }
  }
}
