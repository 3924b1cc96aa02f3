package org.medlake.flight;

import static java.util.Objects.requireNonNull;

import io.grpc.netty.NettyServerBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.medlake.core.config.FlightConfig;
import org.medlake.core.config.ServerConfig;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.platform.store.AuditLog;
import org.medlake.query.QueryService;

/**
 * The Arrow Flight SQL endpoint: a gRPC server on {@code flight.host}:{@code flight.port} that
 * answers SQL with the process's own query service (so budgets, cache and limits are shared with
 * the HTTP API), behind the same gate ({@link FlightAccess}) and audit log.
 */
public final class FlightSqlEndpoint implements AutoCloseable {
  /** The audit events' {@code interface} detail. */
  static final String INTERFACE = "flight-sql";

  private static final int THREADS = 16;

  private final FlightServer server;
  private final BufferAllocator allocator;
  private final ExecutorService executor;

  private FlightSqlEndpoint(
      FlightServer server, BufferAllocator allocator, ExecutorService executor) {
    this.server = server;
    this.allocator = allocator;
    this.executor = executor;
  }

  /**
   * Starts the endpoint; TLS when {@code tls} is present.
   *
   * @throws MedlakeException when the port cannot be bound
   */
  public static FlightSqlEndpoint start(
      FlightConfig config,
      ServerConfig server,
      Optional<FlightTls> tls,
      QueryService queries,
      AuditLog audit,
      FlightAccess access,
      Clock clock) {
    requireNonNull(config, "config is null");
    int port =
        config
            .port()
            .orElseThrow(() -> new IllegalArgumentException("flight.port is not configured"));
    BufferAllocator allocator = new RootAllocator();
    ExecutorService executor = Executors.newFixedThreadPool(THREADS, threads());
    try {
      FlightAuthenticator authenticator =
          new FlightAuthenticator(
              access, audit, clock, server.sessionLifetime(), server.maxSessions());
      MedlakeSqlProducer producer =
          new MedlakeSqlProducer(queries, authenticator, access, audit, clock, allocator);
      Location location =
          tls.isPresent()
              ? Location.forGrpcTls(config.host(), port)
              : Location.forGrpcInsecure(config.host(), port);
      Consumer<NettyServerBuilder> interceptor =
          builder -> builder.callExecutor(new ClientAddresses());
      FlightServer.Builder builder =
          FlightServer.builder(allocator, location, producer)
              .headerAuthenticator(authenticator)
              .middleware(CallerMiddleware.KEY, new CallerMiddleware.Factory())
              .executor(executor)
              .transportHint("grpc.builderConsumer", interceptor);
      if (tls.isPresent()) {
        builder.useTls(
            new ByteArrayInputStream(tls.get().certificateChain()),
            new ByteArrayInputStream(tls.get().privateKey()));
      }
      FlightServer flight = builder.build();
      try {
        flight.start();
      } catch (IOException e) {
        throw new MedlakeException(
            ErrorCode.INVALID_CONFIG,
            "flight.port: cannot listen on " + config.host() + ":" + port + ": " + e.getMessage(),
            e);
      }
      return new FlightSqlEndpoint(flight, allocator, executor);
    } catch (IOException e) {
      executor.shutdownNow();
      allocator.close();
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      executor.shutdownNow();
      allocator.close();
      throw e;
    }
  }

  /** The port it listens on (the free one picked for {@code flight.port: 0}). */
  public int port() {
    return server.getPort();
  }

  /** Stops taking calls, lets running ones finish for a few seconds, then frees the memory. */
  @Override
  public void close() {
    server.shutdown();
    try {
      if (!server.awaitTermination(10, TimeUnit.SECONDS)) {
        server.close();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      executor.shutdownNow();
      allocator.close();
    }
  }

  private static java.util.concurrent.ThreadFactory threads() {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, "flight-sql-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
