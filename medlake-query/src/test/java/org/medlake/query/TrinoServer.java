package org.medlake.query;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A real Trino server (the {@code io.trino:trino-server} tarball, unpacked by Maven into {@code
 * target/trino}) with one Iceberg catalog, on a free loopback port, for tests. Trino needs Java 24
 * or newer: {@code MEDLAKE_TRINO_JAVA} names the {@code java} binary, else the newest {@code
 * /usr/lib/jvm/*} with Java 24+ is used.
 */
public final class TrinoServer implements AutoCloseable {
  private final Process process;
  private final int port;

  private TrinoServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts Trino with an {@code iceberg} catalog configured by {@code icebergProperties}. */
  public static TrinoServer start(Path directory, Map<String, String> icebergProperties)
      throws IOException, InterruptedException {
    return start(directory, icebergProperties, List.of());
  }

  /**
   * Starts Trino with an {@code iceberg} catalog configured by {@code icebergProperties}, with
   * {@code pluginJars} added to the Iceberg plugin (a JDBC driver for its catalog, say).
   */
  public static TrinoServer start(
      Path directory, Map<String, String> icebergProperties, List<Path> pluginJars)
      throws IOException, InterruptedException {
    Path home = Path.of(System.getProperty("trino.home", "target/trino/trino-server"));
    if (!Files.isDirectory(home.resolve("lib"))) {
      throw new IOException(
          "Trino is not unpacked at "
              + home
              + "; run the tests through Maven (./run-tests), which unpacks io.trino:trino-server");
    }
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path etc = directory.resolve("etc");
    Files.createDirectories(etc.resolve("catalog"));
    Path plugins = directory.resolve("plugin");
    Files.createDirectories(plugins);
    Path iceberg = home.resolve("plugin/iceberg").toAbsolutePath();
    if (pluginJars.isEmpty()) {
      Files.createSymbolicLink(plugins.resolve("iceberg"), iceberg);
    } else {
      Path plugin = Files.createDirectories(plugins.resolve("iceberg"));
      try (Stream<Path> jars = Files.list(iceberg)) {
        for (Path jar : (Iterable<Path>) jars::iterator) {
          Files.createSymbolicLink(plugin.resolve(jar.getFileName()), jar);
        }
      }
      for (Path jar : pluginJars) {
        Files.createSymbolicLink(plugin.resolve(jar.getFileName()), jar.toAbsolutePath());
      }
    }
    Files.writeString(
        etc.resolve("config.properties"),
        String.join(
                "\n",
                "coordinator=true",
                "node-scheduler.include-coordinator=true",
                "http-server.http.port=" + port,
                "discovery.uri=http://127.0.0.1:" + port,
                // as Trino's own testing server: on a busy 2-core machine a missed heartbeat would
                // mark the only node failed
                "failure-detector.enabled=false",
                "query.max-memory=512MB",
                "query.max-memory-per-node=512MB",
                "plugin.dir=" + plugins.toAbsolutePath())
            + "\n");
    Files.writeString(
        etc.resolve("catalog/iceberg.properties"),
        icebergProperties.entrySet().stream()
            .map(entry -> entry.getKey() + "=" + entry.getValue())
            .collect(Collectors.joining("\n", "connector.name=iceberg\n", "\n")));
    List<String> command =
        new ArrayList<>(
            List.of(
                java().toString(),
                "-Xmx1G",
                "-XX:+UseG1GC",
                "-Djdk.attach.allowAttachSelf=true",
                "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "--enable-native-access=ALL-UNNAMED",
                // s3proxy predates the AWS SDK's default CRC trailers
                "-Daws.requestChecksumCalculation=when_required",
                "-Daws.responseChecksumValidation=when_required",
                "-Dnode.environment=test",
                "-Dnode.id=medlake-test",
                "-Dnode.data-dir=" + directory.resolve("data").toAbsolutePath(),
                "-Dconfig=" + etc.resolve("config.properties").toAbsolutePath(),
                "-Dcatalog.config-dir=" + etc.resolve("catalog").toAbsolutePath(),
                "-cp",
                home.resolve("lib").toAbsolutePath() + "/*",
                "io.trino.server.TrinoServer"));
    Path log = directory.resolve("trino.log");
    // Trino writes var/log/ relative to its working directory: keep it in the temporary directory
    Process process =
        new ProcessBuilder(command)
            .directory(directory.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
    HttpClient client = HttpClient.newHttpClient();
    try {
      await("Trino on port " + port)
          .atMost(Duration.ofMinutes(5))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> started(client, process, port, log));
    } catch (ConditionTimeoutException e) {
      process.destroyForcibly();
      throw new IOException("Trino did not start within 5 minutes; see " + log);
    }
    return new TrinoServer(process, port);
  }

  /**
   * Whether Trino answers as started and schedules on the iceberg catalog; an exited Trino fails at
   * once.
   */
  private static boolean started(HttpClient client, Process process, int port, Path log)
      throws IOException, InterruptedException {
    if (!process.isAlive()) {
      throw new IllegalStateException(
          "Trino exited with " + process.exitValue() + ": " + errors(log));
    }
    try {
      HttpResponse<String> info =
          client.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/info"))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return info.statusCode() == 200
          && info.body().contains("\"starting\":false")
          && schedulesOnIceberg(port);
    } catch (IOException notYet) {
      return false;
    }
  }

  /**
   * Whether the node has announced itself with the iceberg catalog: Trino reports it has started
   * before its node manager (refreshed every few seconds) lists it, and a query planned in between
   * fails with "No nodes available to run query".
   */
  private static boolean schedulesOnIceberg(int port) {
    try (Connection connection =
            DriverManager.getConnection(
                "jdbc:trino://127.0.0.1:" + port + "/iceberg", "medlake", null);
        Statement statement = connection.createStatement();
        ResultSet nodes =
            statement.executeQuery(
                "SELECT count(*) FROM system.runtime.nodes WHERE state = 'active' AND coordinator")) {
      if (!nodes.next() || nodes.getLong(1) == 0) {
        return false;
      }
      try (ResultSet schemas =
          statement.executeQuery("SELECT count(*) FROM iceberg.information_schema.schemata")) {
        return schemas.next();
      }
    } catch (SQLException notYet) {
      return false;
    }
  }

  /** The ERROR lines and the causes Trino logged, which say why it stopped. */
  private static String errors(Path log) throws IOException {
    return Files.readAllLines(log).stream()
        .filter(
            line ->
                line.contains("ERROR")
                    || line.startsWith("Caused by")
                    || line.contains("Exception:"))
        .limit(20)
        .collect(Collectors.joining(" | "));
  }

  /** A JDBC URL with the Iceberg catalog and {@code schema} as defaults. */
  public String jdbcUrl(String schema) {
    return "jdbc:trino://127.0.0.1:" + port + "/iceberg/" + schema;
  }

  private static Path java() throws IOException {
    Optional<String> configured =
        Optional.ofNullable(System.getenv("MEDLAKE_TRINO_JAVA")).filter(value -> !value.isBlank());
    if (configured.isPresent()) {
      return Path.of(configured.get());
    }
    Path jvms = Path.of("/usr/lib/jvm");
    if (Files.isDirectory(jvms)) {
      try (Stream<Path> candidates = Files.list(jvms)) {
        Optional<Path> newest =
            candidates
                .filter(candidate -> Files.isExecutable(candidate.resolve("bin/java")))
                .filter(candidate -> featureVersion(candidate) >= 24)
                .max(Comparator.comparingInt(TrinoServer::featureVersion));
        if (newest.isPresent()) {
          return newest.get().resolve("bin/java");
        }
      }
    }
    throw new IOException(
        "Trino needs Java 24 or newer: install one under /usr/lib/jvm or set MEDLAKE_TRINO_JAVA to its bin/java");
  }

  /** The Java feature version from the JDK's release file, 0 when unknown. */
  private static int featureVersion(Path jdk) {
    try {
      for (String line : Files.readAllLines(jdk.resolve("release"))) {
        if (line.startsWith("JAVA_VERSION=")) {
          String version = line.substring("JAVA_VERSION=".length()).replace("\"", "");
          return Integer.parseInt(version.split("[.+-]")[0]);
        }
      }
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
    return 0;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
