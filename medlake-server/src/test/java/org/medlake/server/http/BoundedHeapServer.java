package org.medlake.server.http;

import java.nio.file.Path;
import org.medlake.core.config.MedlakeHome;

/**
 * {@code medlake serve} for a test that runs the server in a child JVM with a small heap: prints
 * {@code PORT n} once it listens, and stops when its standard input closes.
 */
public final class BoundedHeapServer {
  private BoundedHeapServer() {}

  public static void main(String[] arguments) throws Exception {
    try (MedlakeServer server = MedlakeServer.start(MedlakeHome.open(Path.of(arguments[0])), 0)) {
      System.out.println("PORT " + server.port());
      System.out.flush();
      while (System.in.read() >= 0) {
        // wait for the parent to close our input
      }
    }
  }
}
