package org.medlake.spark.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the Spark job in a child JVM, as {@code spark-submit} would: the shaded job jar first, then
 * Spark's classpath as medlake-spark resolved it (never this JVM's, which has iceberg-core).
 */
final class SparkJobProcess {
  /** What spark-submit adds for Java 17 (Spark's JavaModuleOptions). */
  private static final List<String> MODULE_OPTIONS = List.of(
      "-XX:+IgnoreUnrecognizedVMOptions",
      "--add-opens=java.base/java.lang=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens=java.base/java.io=ALL-UNNAMED",
      "--add-opens=java.base/java.net=ALL-UNNAMED",
      "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
      "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
      "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
      "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
      "-Djdk.reflect.useDirectMethodHandle=false",
      "-Dio.netty.tryReflectionSetAccessible=true");

  /** The finished process: exit code and everything it printed. */
  record Result(int exitCode, String output) {}

  private SparkJobProcess() {}

  static Path moduleTarget() {
    Path target = Path.of("..", "medlake-spark", "target").toAbsolutePath().normalize();
    if (!Files.isRegularFile(target.resolve("medlake-spark.jar")) || !Files.isRegularFile(target.resolve("spark-classpath.txt"))) {
      throw new IllegalStateException(target + " has no medlake-spark.jar and spark-classpath.txt: build medlake-spark (package) first");
    }
    return target;
  }

  /** Runs the job with {@code jvmOptions} (e.g. {@code -D} settings the AWS SDK reads) before the main class. */
  static Result run(Path log, List<String> jvmOptions, String... arguments) {
    Path target = moduleTarget();
    try {
      String classpath = target.resolve("medlake-spark.jar") + java.io.File.pathSeparator
          + Files.readString(target.resolve("spark-classpath.txt"), StandardCharsets.UTF_8).trim();
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add("-Xmx2g");
      command.addAll(MODULE_OPTIONS);
      // small splits: every file is read by several tasks at once, so line numbering across
      // partitions and the executors' shared checker are exercised
      command.add("-Dspark.sql.files.maxPartitionBytes=131072");
      command.addAll(jvmOptions);
      command.add("-cp");
      command.add(classpath);
      command.add("org.medlake.spark.SparkIngestJob");
      command.addAll(List.of(arguments));
      Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!process.waitFor(15, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new IllegalStateException("the Spark job did not finish within 15 minutes; output in " + log);
      }
      return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
