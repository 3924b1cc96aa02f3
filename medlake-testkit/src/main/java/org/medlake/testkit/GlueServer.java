package org.medlake.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The part of the AWS Glue Data Catalog API that Iceberg's {@code GlueCatalog} calls, on a free
 * loopback port, for tests: databases and tables kept in memory, spoken over Glue's own protocol
 * (AWS JSON 1.1: {@code POST /} with {@code X-Amz-Target: AWSGlue.<Operation>}) so that the AWS
 * SDK's real Glue client talks to it. No emulator of Glue runs on this machine kind (moto and
 * LocalStack are Python), so this one keeps to what the Glue API reference documents for these
 * operations: {@code UpdateTable} with a stale {@code VersionId} fails with {@code
 * ConcurrentModificationException}, a missing entity with {@code EntityNotFoundException}, a
 * duplicate with {@code AlreadyExistsException}, and a request not signed for the {@code glue}
 * service with the test credentials of {@link S3Server} with {@code AccessDeniedException}.
 */
public final class GlueServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final ExecutorService executor;
  private final Map<String, ObjectNode> databases = new LinkedHashMap<>();
  private final Map<String, Map<String, ObjectNode>> tables = new LinkedHashMap<>();
  private final Map<String, AtomicLong> calls = new LinkedHashMap<>();

  private GlueServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  public static GlueServer start() throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    ExecutorService executor =
        Executors.newFixedThreadPool(
            4,
            runnable -> {
              Thread thread = new Thread(runnable, "glue-server");
              thread.setDaemon(true);
              return thread;
            });
    GlueServer glue = new GlueServer(server, executor);
    server.createContext("/", glue::handle);
    server.setExecutor(executor);
    server.start();
    System.setProperty("aws.accessKeyId", S3Server.ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", S3Server.SECRET_KEY);
    return glue;
  }

  public String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** The parameters of a table as Glue holds them (what Athena reads), if the table exists. */
  public synchronized Optional<Map<String, String>> tableParameters(String database, String name) {
    ObjectNode table = tables.getOrDefault(database, Map.of()).get(name);
    if (table == null) {
      return Optional.empty();
    }
    Map<String, String> parameters = new LinkedHashMap<>();
    table
        .path("Parameters")
        .fields()
        .forEachRemaining(e -> parameters.put(e.getKey(), e.getValue().asText()));
    return Optional.of(parameters);
  }

  /** The table's {@code TableType}, e.g. {@code EXTERNAL_TABLE}. */
  public synchronized Optional<String> tableType(String database, String name) {
    return Optional.ofNullable(tables.getOrDefault(database, Map.of()).get(name))
        .map(table -> table.path("TableType").asText());
  }

  /** The table's {@code StorageDescriptor.Location}. */
  public synchronized Optional<String> tableLocation(String database, String name) {
    return Optional.ofNullable(tables.getOrDefault(database, Map.of()).get(name))
        .map(table -> table.path("StorageDescriptor").path("Location").asText());
  }

  /** How often an operation was called. */
  public synchronized long calls(String operation) {
    return calls.getOrDefault(operation, new AtomicLong()).get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String target =
          Optional.ofNullable(exchange.getRequestHeaders().getFirst("X-Amz-Target")).orElse("");
      String authorization =
          Optional.ofNullable(exchange.getRequestHeaders().getFirst("Authorization")).orElse("");
      if (!"POST".equals(exchange.getRequestMethod()) || !target.startsWith("AWSGlue.")) {
        error(exchange, 400, "InvalidInputException", "not a Glue request: " + target);
        return;
      }
      if (!authorization.startsWith("AWS4-HMAC-SHA256 ")
          || !authorization.contains("Credential=" + S3Server.ACCESS_KEY + "/")
          || !authorization.contains("/glue/aws4_request")) {
        error(
            exchange,
            400,
            "AccessDeniedException",
            "request not signed for glue with the test key");
        return;
      }
      JsonNode request = JSON.readTree(exchange.getRequestBody());
      String operation = target.substring("AWSGlue.".length());
      JsonNode response;
      try {
        response = call(operation, request);
      } catch (GlueError e) {
        error(exchange, 400, e.type, e.getMessage());
        return;
      }
      byte[] body = JSON.writeValueAsBytes(response);
      exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private synchronized JsonNode call(String operation, JsonNode request) {
    calls.computeIfAbsent(operation, ignored -> new AtomicLong()).incrementAndGet();
    ObjectNode response = JSON.createObjectNode();
    double now = System.currentTimeMillis() / 1000.0;
    switch (operation) {
      case "GetDatabase" -> response.set("Database", database(request.path("Name").asText()));
      case "GetDatabases" ->
          response.putArray("DatabaseList").addAll(new ArrayList<>(databases.values()));
      case "CreateDatabase" -> {
        JsonNode input = request.path("DatabaseInput");
        String name = input.path("Name").asText();
        if (databases.containsKey(name)) {
          throw new GlueError("AlreadyExistsException", "Database already exists.");
        }
        ObjectNode database = input.deepCopy();
        database.put("CreateTime", now);
        databases.put(name, database);
        tables.put(name, new LinkedHashMap<>());
      }
      case "DeleteDatabase" -> {
        String name = request.path("Name").asText();
        database(name);
        databases.remove(name);
        tables.remove(name);
      }
      case "GetTable" -> response.set("Table", table(request));
      case "GetTables" -> {
        String name = request.path("DatabaseName").asText();
        database(name);
        response.putArray("TableList").addAll(new ArrayList<>(tables.get(name).values()));
      }
      case "CreateTable" -> {
        String name = request.path("DatabaseName").asText();
        database(name);
        JsonNode input = request.path("TableInput");
        String tableName = input.path("Name").asText();
        if (tables.get(name).containsKey(tableName)) {
          throw new GlueError("AlreadyExistsException", "Table already exists.");
        }
        ObjectNode table = input.deepCopy();
        table.put("DatabaseName", name);
        table.put("CreateTime", now);
        table.put("UpdateTime", now);
        table.put("VersionId", "1");
        tables.get(name).put(tableName, table);
      }
      case "UpdateTable" -> {
        ObjectNode current = table(request, request.path("TableInput").path("Name").asText());
        String version = current.path("VersionId").asText();
        if (request.hasNonNull("VersionId")
            && !request.path("VersionId").asText().equals(version)) {
          throw new GlueError(
              "ConcurrentModificationException",
              "Update table failed due to concurrent modifications.");
        }
        ObjectNode table = request.path("TableInput").deepCopy();
        table.put("DatabaseName", request.path("DatabaseName").asText());
        table.set("CreateTime", current.get("CreateTime"));
        table.put("UpdateTime", now);
        table.put("VersionId", String.valueOf(Long.parseLong(version) + 1));
        tables.get(request.path("DatabaseName").asText()).put(table.path("Name").asText(), table);
      }
      case "DeleteTable" -> {
        table(request);
        tables.get(request.path("DatabaseName").asText()).remove(request.path("Name").asText());
      }
      default ->
          throw new GlueError("InvalidInputException", "operation not served here: " + operation);
    }
    return response;
  }

  private ObjectNode database(String name) {
    ObjectNode database = databases.get(name);
    if (database == null) {
      throw new GlueError("EntityNotFoundException", "Database " + name + " not found.");
    }
    return database;
  }

  private ObjectNode table(JsonNode request) {
    return table(request, request.path("Name").asText());
  }

  private ObjectNode table(JsonNode request, String name) {
    String databaseName = request.path("DatabaseName").asText();
    database(databaseName);
    ObjectNode table = tables.get(databaseName).get(name);
    if (table == null) {
      throw new GlueError("EntityNotFoundException", "Table " + name + " not found.");
    }
    return table;
  }

  private static void error(HttpExchange exchange, int status, String type, String message)
      throws IOException {
    ObjectNode body = JSON.createObjectNode().put("__type", type).put("message", message);
    byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
    exchange.getResponseHeaders().set("x-amzn-ErrorType", type);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** All databases' table names, for assertions. */
  public synchronized List<String> tableNames(String database) {
    return List.copyOf(tables.getOrDefault(database, Map.of()).keySet());
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private static final class GlueError extends RuntimeException {
    private final String type;

    GlueError(String type, String message) {
      super(message);
      this.type = type;
    }
  }
}
