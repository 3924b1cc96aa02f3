package org.medlake.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.medlake.core.config.MedlakeHome;
import org.medlake.server.http.MedlakeServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "serve",
    description = "Start the platform server (JSON API under /api/v1) on loopback.")
final class ServeCommand implements Callable<Integer> {
  @ParentCommand MedlakeCommand parent;

  @Option(names = "--port", description = "port (default: server.port in medlake.yaml, 8080)")
  Integer port;

  @Override
  public Integer call() throws InterruptedException {
    MedlakeHome home =
        parent.openHome(port == null ? Map.of() : Map.of("server.port", Integer.toString(port)));
    MedlakeServer server = MedlakeServer.start(home, home.config().server().port());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                }));
    System.out.println(
        "medlake server on http://127.0.0.1:"
            + server.port()
            + " (health: /health; API: /api/v1); Ctrl-C stops it");
    server
        .flightPort()
        .ifPresent(
            flightPort ->
                System.out.println(
                    "Flight SQL on "
                        + (home.config().server().tlsKeystore().isPresent()
                            ? "grpc+tls://"
                            : "grpc://")
                        + home.config().flight().host()
                        + ":"
                        + flightPort
                        + " (docs/connect.md)"));
    stopped.await();
    return 0;
  }
}
