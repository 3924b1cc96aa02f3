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
 * Runs the Spark job in a child JVM, as {@code spark-submit} would: Spark's class path as
 * medlake-spark resolved it (spark-core; never this JVM's, which has iceberg-core), optionally with
 * what an EMR cluster adds to it, then the job jar.
 */
final class SparkJobProcess {
  /** What spark-submit adds for Java 17 (Spark's JavaModuleOptions). */
  private static final List<String> MODULE_OPTIONS =
      List.of(
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

  /** What is on Spark's class path besides the job jar. */
  enum SparkClassPath {
    /** spark-core and its dependencies: all the job needs */
    SPARK,
    /**
     * also Iceberg's Spark runtime and AWS bundle (older Jackson, Parquet and AWS SDK inside),
     * first, as on EMR
     */
    SPARK_WITH_CLUSTER_JARS
  }

  /** The finished process: exit code and everything it printed. */
  record Result(int exitCode, String output) {}

  private SparkJobProcess() {}

  static Path moduleTarget() {
    return built("medlake-spark", "medlake-spark.jar");
  }

  /** Where medlake-spark-classpath wrote Spark's class path and the cluster jars. */
  static Path classPathTarget() {
    return built("medlake-spark-classpath", "spark-classpath.txt");
  }

  private static Path built(String module, String file) {
    Path target = Path.of("..", module, "target").toAbsolutePath().normalize();
    if (!Files.isRegularFile(target.resolve(file))) {
      throw new IllegalStateException(
          target + " has no " + file + ": build " + module + " (package) first");
    }
    return target;
  }

  /**
   * Runs the job with {@code jvmOptions} (e.g. {@code -D} settings the AWS SDK reads) before the
   * main class.
   */
  static Result run(Path log, List<String> jvmOptions, String... arguments) {
    return run(log, SparkClassPath.SPARK, jvmOptions, arguments);
  }

  static Result run(
      Path log, SparkClassPath sparkClassPath, List<String> jvmOptions, String... arguments) {
    Path target = moduleTarget();
    try {
      List<String> entries = new ArrayList<>();
      if (sparkClassPath == SparkClassPath.SPARK_WITH_CLUSTER_JARS) {
        try (java.util.stream.Stream<Path> jars =
            Files.list(classPathTarget().resolve("cluster-jars"))) {
          jars.sorted().forEach(jar -> entries.add(jar.toString()));
        }
      }
      entries.add(
          Files.readString(classPathTarget().resolve("spark-classpath.txt"), StandardCharsets.UTF_8)
              .trim());
      entries.add(target.resolve("medlake-spark.jar").toString());
      String classpath = String.join(java.io.File.pathSeparator, entries);
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add("-Xmx2g");
      command.addAll(MODULE_OPTIONS);
      command.addAll(jvmOptions);
      command.add("-cp");
      command.add(classpath);
      command.add("org.medlake.spark.SparkIngestJob");
      command.addAll(List.of(arguments));
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      if (!process.waitFor(15, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new IllegalStateException(
            "the Spark job did not finish within 15 minutes; output in " + log);
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
