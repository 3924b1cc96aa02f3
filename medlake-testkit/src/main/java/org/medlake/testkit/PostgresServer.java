package org.medlake.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server (Debian's {@code postgresql} package, installed by run-tests) in its own
 * cluster on a temporary directory and a free loopback port, for tests. initdb refuses to run as
 * root, so as root the cluster belongs to the {@code postgres} user ({@code runuser}).
 */
public final class PostgresServer implements AutoCloseable {
  public static final String USER = "medlake";

  private final Path directory;
  private final Path bin;
  private final int port;
  private final Thread stopAtExit;

  private PostgresServer(Path directory, Path bin, int port) {
    this.directory = directory;
    this.bin = bin;
    this.port = port;
    // a test that fails before its clean-up must not leave the server running after the JVM ends
    this.stopAtExit =
        new Thread(
            () -> {
              try {
                stop();
              } catch (IOException | InterruptedException ignored) {
                // best effort at exit
              }
            });
    Runtime.getRuntime().addShutdownHook(stopAtExit);
  }

  public static PostgresServer start() throws IOException, InterruptedException {
    Path bin = binaries();
    Path directory =
        Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "medlake-pg-");
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    if (root()) {
      run(List.of("chown", "postgres:postgres", directory.toString()));
    }
    Path data = directory.resolve("data");
    run(
        asOwner(
            List.of(
                bin.resolve("initdb").toString(),
                "-D",
                data.toString(),
                "-U",
                USER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync")));
    PostgresServer server = new PostgresServer(directory, bin, port);
    server.startServer();
    return server;
  }

  /** Starts the server process again after {@link #stopServer()}, on the same port and data. */
  public void startServer() throws IOException, InterruptedException {
    run(
        asOwner(
            List.of(
                bin.resolve("pg_ctl").toString(),
                "-D",
                directory.resolve("data").toString(),
                "-l",
                directory.resolve("postgres.log").toString(),
                "-w",
                "-o",
                "-p "
                    + port
                    + " -k "
                    + directory
                    + " -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
                "start")));
  }

  /**
   * Stops the server process (as a crash would: immediate), keeping its data for {@link
   * #startServer()}.
   */
  public void stopServer() throws IOException, InterruptedException {
    run(
        asOwner(
            List.of(
                bin.resolve("pg_ctl").toString(),
                "-D",
                directory.resolve("data").toString(),
                "-m",
                "immediate",
                "-w",
                "stop")));
  }

  /** A new, empty database on this server, as a JDBC URL. */
  public String createDatabase(String name) throws SQLException {
    try (Connection connection =
            DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + port + "/postgres", USER, "");
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    }
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + name;
  }

  private static Path binaries() throws IOException {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      throw new IOException(
          "PostgreSQL is not installed (/usr/lib/postgresql is missing); run-tests installs it with apt-get install -y postgresql");
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions
          .map(version -> version.resolve("bin"))
          .filter(bin -> Files.isExecutable(bin.resolve("initdb")))
          .max(
              Comparator.comparing(
                  bin ->
                      Integer.parseInt(
                          bin.getParent().getFileName().toString().replaceAll("\\D", "0"))))
          .orElseThrow(() -> new IOException("No initdb under /usr/lib/postgresql/*/bin"));
    }
  }

  private static boolean root() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static List<String> asOwner(List<String> command) {
    if (!root()) {
      return command;
    }
    List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
    wrapped.addAll(command);
    return wrapped;
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output =
        new String(
            process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + output.strip());
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    Runtime.getRuntime().removeShutdownHook(stopAtExit);
    stop();
  }

  private void stop() throws IOException, InterruptedException {
    try {
      run(
          asOwner(
              List.of(
                  bin.resolve("pg_ctl").toString(),
                  "-D",
                  directory.resolve("data").toString(),
                  "-m",
                  "immediate",
                  "-w",
                  "stop")));
    } finally {
      try (Stream<Path> walk = Files.walk(directory)) {
        walk.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
      }
    }
  }
}
