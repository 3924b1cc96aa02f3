package org.medlake.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A real redis-server (Debian package, installed by .ci/run) on a free loopback port, for tests. */
public final class RedisServer implements AutoCloseable {
  private final Process process;
  private final int port;

  private RedisServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  public static RedisServer start(Path directory) throws IOException, InterruptedException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Process process = new ProcessBuilder("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1", "--save", "",
        "--appendonly", "no", "--dir", directory.toString())
        .redirectErrorStream(true)
        .redirectOutput(directory.resolve("redis.log").toFile())
        .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      try (Socket ignored = new Socket("127.0.0.1", port)) {
        return new RedisServer(process, port);
      } catch (IOException notYet) {
        if (!process.isAlive()) {
          throw new IOException("redis-server exited with " + process.exitValue() + "; see " + directory.resolve("redis.log"));
        }
        Thread.sleep(50);
      }
    }
    process.destroyForcibly();
    throw new IOException("redis-server did not listen on port " + port + " within 20 s");
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
