package org.medlake.core.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.error.ValidationException;

/**
 * Loads the configuration: the defaults of the records, then {@code medlake.yaml} (written with
 * commented defaults when it does not exist), then one {@code MEDLAKE_*} environment variable per
 * key ({@link ConfigKeys#environmentVariable}), then the command line. Remembers where every value
 * came from, for {@code medlake config} and for error messages.
 */
public final class ConfigFile {
  static final String DEFAULT_TEXT =
      """
      # medlake configuration. Every key is optional; the values below are the defaults.
      # Unknown keys are an error. Every key can be overridden by an environment variable: MEDLAKE_ and
      # the key upper-cased with dots and dashes as underscores (server.port: MEDLAKE_SERVER_PORT;
      # a list takes comma-separated values). `medlake config` shows each value and where it came from.
      # Secrets never go here: the pseudonym key comes from MEDLAKE_PSEUDONYM_KEY or from
      # pseudonym.key in this directory, passwords from their MEDLAKE_*_PASSWORD variables.

      catalog:
        # Iceberg catalog name, stored in catalog.db: every engine must use the same name.
        name: medlake
        # Commit retries after losing against a concurrent writer.
        commit-retries: 20
        # Where the catalog lives: jdbc (catalog.db or jdbc-url below) or glue (the AWS Glue Data
        # Catalog, database "medlake", which Athena reads; needs an s3:// warehouse).
        type: jdbc
        # Where tables live: a local directory or s3://bucket/prefix. Unset: warehouse/ in this directory.
        # warehouse: s3://medlake-lake/warehouse
        # The catalog database. Unset: catalog.db (SQLite) in this directory. On PostgreSQL the
        # password comes from MEDLAKE_CATALOG_PASSWORD, never from this file.
        # jdbc-url: jdbc:postgresql://db.example.org:5432/medlake
        # jdbc-user: medlake
        # The Glue API endpoint with type glue. Unset: AWS Glue in s3.region (or the default chain's).
        # glue-endpoint: https://glue.eu-central-1.amazonaws.com
        # An S3-compatible object store for an s3:// warehouse or landing zone. Credentials come from
        # the AWS default chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, profile, instance role).
        s3:
          # endpoint: http://minio.example.org:9000   # unset: AWS S3
          path-style-access: false                    # MinIO and most other S3 servers need true
          # region: eu-central-1                      # unset: the AWS default chain
          retries: 3                                  # S3 client retries per request (0.5 s doubling to 5 s apart)
          connect-timeout-seconds: 5                  # an endpoint that takes longer counts as unreachable

      ingest:
        # Parquet compression: zstd (default), snappy (faster, larger) or gzip (slower, smaller).
        compression: zstd
        # DuckDB memory limit for one ingest; beyond it DuckDB spills to tmp/.
        memory-limit: 2GB
        # DuckDB worker threads.
        threads: 2
        # A gzip file that inflates beyond this many bytes is refused (gzip-bomb guard).
        max-decompressed-bytes: 68719476736
        # A row longer than this many bytes is rejected as LINE_TOO_LONG.
        max-line-bytes: 8388608
        # A quoted field may span at most this many lines.
        max-lines-per-record: 20
        # Distinct patient or encounter ids linked in one link-vault transaction (bounds memory).
        vault-batch: 100000
        # A file with more records is processed in chunks of about this many (bounds memory).
        chunk-rows: 1000000
        # Ingestion jobs one process runs at once (the workers of its one ingestion queue, which
        # uploads, approvals, the watcher and the schedules submit to), and jobs that may wait for
        # them; an upload beyond them is refused with 503 and Retry-After.
        workers: 1
        queue-capacity: 16
        # One upload on the wire; beyond it 413.
        max-upload-bytes: 2GiB
        # Bytes one hospital may deliver into the landing zone (and quarantine) in 24 hours; beyond: 429.
        max-hospital-bytes-per-day: 20GiB
        # Free space the landing and warehouse disks keep; an upload that would leave less: 507.
        disk-reserve-bytes: 1GiB
        # A failed upload is kept in quarantine/ this many days, then deleted.
        failed-upload-retention-days: 30
        # Where hospitals deliver <source>/<YYYY-MM>/<file>.csv[.gz] when it is an object store (s3://
        # bucket/prefix, read with catalog.s3's settings); the orchestrators' trigger
        # (POST /api/v1/runs/trigger) looks there. Unset: the home's landing/.
        # landing-location: s3://medlake-landing
        # A run that would shrink or wipe stored data is HELD: nothing is committed and the file does
        # not count as ingested until the mapping is fixed and the file re-run, or an admin runs
        # medlake runs approve RUN_ID. Held: no row accepted of a file that has rows, more than
        # max-rejected-share of the rows read rejected, or a replacement that keeps less than
        # min-kept-share of the hospital-month's stored rows (shares: 0.5 is 50 %).
        hold:
          enabled: true
          max-rejected-share: 0.5
          min-kept-share: 0.5

      query:
        # Price of scanning one TB (USD), for the pre-flight estimate.
        price-per-tb: 5.0
        # A result with more rows is refused: aggregate or add a LIMIT.
        max-rows: 100000
        # A query is cancelled after this many seconds.
        timeout-seconds: 120
        # DuckDB memory and threads per query.
        memory-limit: 1GB
        threads: 2
        # A result held in memory (SQL, structured, predefined answers and their exports) over this
        # size is refused, as is one value over max-cell-bytes; a streamed download (SQL export,
        # spooled to disk) over max-export-bytes is refused. Sizes are counted while rows are read.
        max-result-bytes: 64MiB
        max-cell-bytes: 8MiB
        max-export-bytes: 2GiB
        # A query that reads every file of a table larger than this is flagged as a full scan.
        full-scan-bytes: 1GB
        # Small-cell suppression for aggregate-only users: cells from fewer patients are hidden.
        min-cell-patients: 11
        # Against differencing (docs/privacy.md): counts aggregate-only users see get seeded noise
        # (normal, this standard deviation, cut at +-noise-bound) and are rounded to a multiple of
        # round-to; the same cell always gets the same noise. noise-sd 0 and round-to 1 turn it off.
        noise-sd: 2.0
        noise-bound: 6
        round-to: 5
        # Entries of the in-process result cache, and the most bytes of rows it holds.
        cache-entries: 1000
        cache-bytes: 256MiB
        # Cache results in Redis instead, shared by several servers (e.g. redis://localhost:6379).
        # redis-url: redis://localhost:6379
        # Time to live of a result in Redis.
        cache-ttl-seconds: 86400
        # Rows one download (export) may hold, per role. Downloads of SQL results are streamed
        # (not held in memory), so this may exceed max-rows; aggregates stay bound by max-rows.
        export-rows:
          viewer: 10000
          analyst: 1000000
          admin: 1000000
          uploader: 0
        # Bytes one query may scan, per role; a query whose estimate exceeds it is refused.
        budgets:
          viewer: 10GB
          analyst: 1TB
          admin: 10TB
          uploader: 1GB
        # With an s3:// warehouse, queries read local copies of the planned files; the copies are
        # kept up to this size, least recently used evicted first.
        file-cache-size: 10GB
        # Which engine runs queries: embedded (DuckDB in this process) or jdbc (Trino, Athena, Spark
        # Thrift Server reading the same Iceberg tables). Planning, estimates, budgets, cache and
        # suppression stay here either way. The password comes from MEDLAKE_QUERY_JDBC_PASSWORD.
        engine: embedded
        # jdbc:
        #   url: jdbc:trino://trino.example.org:8080/iceberg/medlake
        #   user: medlake-reader

      # platform:
      #   # Ingestion runs, users, tokens, audit log and link vault in PostgreSQL, shared by every
      #   # machine of a deployment. Unset: platform.db and vault.db (SQLite) in this directory.
      #   # The password comes from MEDLAKE_PLATFORM_PASSWORD, never from this file.
      #   jdbc-url: jdbc:postgresql://db.example.org:5432/medlake
      #   jdbc-user: medlake

      server:
        # The TCP port of `medlake serve` (its --port overrides it).
        port: 8080
        # Clients that may connect at all (CIDRs); everyone else gets 403, even on /health.
        # To allow every client write ["0.0.0.0/0", "::/0"]; an empty list is an error.
        allow-list: ["127.0.0.1/32", "::1/128"]
        # Reverse proxies (CIDRs) whose X-Forwarded-For header names the real client.
        trusted-proxies: []
        # Token-bucket rate limits; beyond them the API answers 429 with Retry-After.
        requests-per-minute-per-user: 600
        requests-per-minute-per-ip: 1200
        # Login attempts, counted before the password is checked: per account from one client
        # address (failures elsewhere never lock an account out), and per client address.
        login-attempts-per-15-minutes-per-account: 10
        login-attempts-per-15-minutes-per-ip: 50
        # A request body larger than this is refused with 413 (uploads have their own limit).
        max-request-bytes: 1MB
        # A browser session ends this many hours after login.
        session-hours: 8
        # Browser sessions held at most (in memory); a login beyond them ends the oldest session.
        max-sessions: 100000
        # The longest lifetime of an API token created through the API (POST /api/v1/tokens), in days.
        max-token-days: 365
        # HTTPS without a proxy: a PKCS12 keystore, and a file holding its password
        # (MEDLAKE_TLS_KEYSTORE_PASSWORD overrides the file). Unset: plain HTTP on loopback.
        # tls-keystore: /etc/medlake/server.p12
        # tls-keystore-password-file: /etc/medlake/server.p12.password

      flight:
        # The Arrow Flight SQL endpoint of `medlake serve` for BI tools and notebooks (docs/connect.md):
        # the same users, tokens, roles, SQL guard, budgets and audit as POST /api/v1/sql, and TLS
        # with server.tls-keystore when that is set. Unset port: no endpoint (0 picks a free port).
        # port: 32010
        # The address it listens on; another than loopback wants TLS. server.allow-list applies.
        host: 127.0.0.1

      watch:
        # The server watches landing/ and ingests new files by itself (medlake watch does so without it).
        enabled: false
        # A file is read only after its size and modification time stayed the same this long.
        settle-seconds: 10
        # A full rescan of landing/ this often, in case a file-system event was lost.
        rescan-seconds: 60
        # An S3 landing zone: watch an SQS queue of its object-created notifications instead of
        # landing/ (credentials from the AWS default chain). The endpoint and region are for
        # SQS-compatible servers (ElasticMQ); see docs/operations.md.
        # queue-url: https://sqs.eu-central-1.amazonaws.com/123456789012/medlake-landing
        # queue-endpoint: http://elasticmq:9324
        # queue-region: eu-central-1

      schedules:
        # Jobs that medlake watch (or the server with watch.enabled) runs by itself. Cron syntax
        # (minute hour day-of-month month day-of-week), UTC; "" switches a job off.
        # Which hospitals have not delivered last month: a warning, a metric, a webhook.
        completeness-check: "0 6 2 * *"
        # The delivery month that check expects (YYYY-MM); unset: last month. Only for a lake of
        # past data (medlake demo pins its newest month), so that it does not warn about this month.
        # completeness-month: 2024-12
        # Table maintenance: manifests, snapshot expiry (monthly releases are kept), orphan files.
        maintenance: "30 3 * * 0"

      webhooks:
        # A JSON POST to each URL on run-finished, run-failed and missing-delivery.
        urls: []
        # The body's HMAC-SHA256 goes in X-Medlake-Signature; the secret comes from this file
        # or MEDLAKE_WEBHOOK_SECRET. Unset: unsigned.
        # secret-file: /etc/medlake/webhook.secret
        # Attempts per event and URL; the wait between them starts here and doubles.
        attempts: 5
        initial-backoff-millis: 1000

      maintenance:
        # Snapshots younger than this are kept; older ones are expired, except monthly releases.
        keep-days: 7
        # Unreferenced files are deleted only when older than this (a write may be in flight).
        orphan-min-age-hours: 24
        # Data files smaller than this are merged with the other small files of their partition.
        compact-below-bytes: 64MB
      """;

  private static final ObjectMapper MAPPER =
      new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  /** Where a value came from. */
  public static final String DEFAULT_ORIGIN = "default";

  /**
   * One key's effective value as written (masked where it may hold a credential) and its origin:
   * {@code default}, {@code medlake.yaml line N}, the environment variable's name, or {@code
   * command line}.
   */
  public record Setting(String key, String value, String origin) {}

  /** A loaded configuration and, per key, where its value came from. */
  public record Loaded(MedlakeConfig config, List<Setting> settings) {}

  private ConfigFile() {}

  /**
   * The configuration in {@code file} (created with the defaults when missing), overridden by the
   * environment and by {@code commandLine} (key to value, e.g. {@code server.port} from {@code
   * serve --port}).
   */
  public static Loaded load(Path file, Environment environment, Map<String, String> commandLine) {
    try {
      if (!Files.exists(file)) {
        Files.writeString(file, DEFAULT_TEXT, StandardCharsets.UTF_8);
      }
      return load(file, Files.readString(file, StandardCharsets.UTF_8), environment, commandLine);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file, e);
    }
  }

  /** The configuration {@code text} holds, without environment overrides. */
  public static MedlakeConfig parse(Path file, String text) {
    return load(file, text, Environment.empty(), Map.of()).config();
  }

  public static Loaded load(
      Path file, String text, Environment environment, Map<String, String> commandLine) {
    Map<String, String> origins = new HashMap<>();
    ObjectNode tree = read(file, text, origins);
    checkKeys(file, tree, "", origins);
    override(tree, environment, commandLine, origins);
    MedlakeConfig config;
    try {
      config = MAPPER.treeToValue(tree, MedlakeConfig.class);
    } catch (JsonMappingException e) {
      String key = path(e);
      if (e.getCause() instanceof MedlakeException medlakeException) {
        throw new ValidationException(
            ErrorCode.INVALID_CONFIG,
            where(file, medlakeException.getMessage(), origins) + medlakeException.getMessage());
      }
      String origin = origins.getOrDefault(key, "");
      String message =
          origin.contains(" line ")
              ? "%s: invalid value at '%s' (%s): %s"
                  .formatted(
                      file,
                      key,
                      origin.substring(origin.indexOf(" line ") + 1),
                      e.getOriginalMessage())
              : "%s: invalid value at '%s': %s"
                  .formatted(origin.isEmpty() ? file : origin, key, e.getOriginalMessage());
      throw new ValidationException(ErrorCode.INVALID_CONFIG, message);
    } catch (IOException e) {
      throw new ValidationException(
          ErrorCode.INVALID_CONFIG, file + ": " + e.getMessage().lines().findFirst().orElse(""));
    }
    return new Loaded(
        config == null ? MedlakeConfig.defaults() : config.withSecrets(environment),
        settings(tree, origins));
  }

  /** The tree of {@code text}, recording the line of every key as its origin. */
  private static ObjectNode read(Path file, String text, Map<String, String> origins) {
    if (text.isBlank()) {
      return JsonNodeFactory.instance.objectNode();
    }
    try (JsonParser parser = MAPPER.getFactory().createParser(text)) {
      Deque<String> sections = new ArrayDeque<>();
      String field = null;
      JsonToken token;
      while ((token = parser.nextToken()) != null) {
        switch (token) {
          case FIELD_NAME -> {
            field = parser.currentName();
            String key =
                sections.isEmpty() || sections.peek().isEmpty()
                    ? field
                    : sections.peek() + "." + field;
            origins.put(
                key, file.getFileName() + " line " + parser.currentTokenLocation().getLineNr());
          }
          case START_OBJECT -> {
            String parent = sections.isEmpty() ? "" : sections.peek();
            sections.push(field == null ? "" : parent.isEmpty() ? field : parent + "." + field);
            field = null;
          }
          case END_OBJECT -> sections.pop();
          case START_ARRAY -> {
            parser.skipChildren();
            field = null;
          }
          default -> field = null;
        }
      }
      JsonNode tree = MAPPER.readTree(text);
      if (tree == null || tree.isMissingNode() || tree.isNull()) {
        return JsonNodeFactory.instance.objectNode();
      }
      if (!(tree instanceof ObjectNode object)) {
        throw new ValidationException(
            ErrorCode.INVALID_CONFIG, file + ": not a map of keys (line 1)");
      }
      return object;
    } catch (IOException e) {
      throw new ValidationException(
          ErrorCode.INVALID_CONFIG,
          file + ": not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
    }
  }

  /** Every key written must be known; the error names the closest one. */
  private static void checkKeys(
      Path file, ObjectNode node, String prefix, Map<String, String> origins) {
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      String key = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
      if (ConfigKeys.section(key)) {
        if (field.getValue() instanceof ObjectNode section) {
          checkKeys(file, section, key, origins);
        }
      } else if (ConfigKeys.key(key).isEmpty()) {
        throw new ValidationException(
            ErrorCode.INVALID_CONFIG,
            "%s: unknown key '%s' (%s); did you mean '%s'?"
                .formatted(
                    file,
                    key,
                    origins.getOrDefault(key, "").replaceFirst(".* line ", "line "),
                    ConfigKeys.closest(key)));
      }
    }
  }

  /** Sets the keys the environment and the command line give, recording them as the origin. */
  private static void override(
      ObjectNode tree,
      Environment environment,
      Map<String, String> commandLine,
      Map<String, String> origins) {
    List<String> prefixes = ConfigKeys.sectionPrefixes();
    for (String variable : environment.names().stream().sorted().toList()) {
      boolean sectionVariable = prefixes.stream().anyMatch(variable::startsWith);
      boolean known =
          Environment.SECRET_VARIABLES.contains(variable)
              || ConfigKeys.all().stream()
                  .anyMatch(key -> key.environmentVariable().equals(variable));
      if (sectionVariable && !known) {
        throw new ValidationException(
            ErrorCode.INVALID_CONFIG,
            "environment variable %s is no configuration key; did you mean %s?"
                .formatted(variable, ConfigKeys.closestVariable(variable)));
      }
    }
    for (ConfigKeys.Key key : ConfigKeys.all()) {
      String variable = key.environmentVariable();
      // an empty variable clears a list; for any other key it counts as unset
      if (environment.get(variable).isPresent()
          || key.list() && environment.names().contains(variable)) {
        set(tree, key, environment.get(variable).orElse(""));
        origins.put(key.path(), variable);
      }
    }
    commandLine.forEach(
        (path, value) -> {
          ConfigKeys.Key key =
              ConfigKeys.key(path)
                  .orElseThrow(() -> new IllegalArgumentException("no configuration key " + path));
          set(tree, key, value);
          origins.put(path, "command line");
        });
  }

  private static void set(ObjectNode tree, ConfigKeys.Key key, String value) {
    String[] parts = key.path().split("\\.");
    ObjectNode node = tree;
    for (String part : Arrays.copyOf(parts, parts.length - 1)) {
      node = node.get(part) instanceof ObjectNode child ? child : node.putObject(part);
    }
    if (key.list()) {
      ArrayNode list = node.putArray(parts[parts.length - 1]);
      Arrays.stream(value.split(","))
          .map(String::strip)
          .filter(item -> !item.isEmpty())
          .forEach(list::add);
    } else {
      node.set(parts[parts.length - 1], TextNode.valueOf(value));
    }
  }

  /**
   * The origin of the key a validation message starts with ("server.port must be ..."), else the
   * file.
   */
  private static String where(Path file, String message, Map<String, String> origins) {
    String first = message.split("[ :]", 2)[0];
    String origin = origins.get(first);
    return (origin == null || origin.contains(" line ") ? file.toString() : origin) + ": ";
  }

  /** Every key's effective value and origin, in the order of medlake.yaml. */
  private static List<Setting> settings(ObjectNode tree, Map<String, String> origins) {
    ObjectNode defaults = DefaultsHolder.TREE;
    List<Setting> settings = new ArrayList<>();
    for (ConfigKeys.Key key : ConfigKeys.all()) {
      JsonNode value = at(tree, key.path());
      String origin = origins.get(key.path());
      if (value == null || origin == null) {
        value = at(defaults, key.path());
        origin = DEFAULT_ORIGIN;
      }
      settings.add(
          new Setting(
              key.path(),
              value == null || value.isNull() ? "(unset)" : masked(text(value)),
              origin));
    }
    return settings;
  }

  private static JsonNode at(JsonNode tree, String path) {
    JsonNode node = tree;
    for (String part : path.split("\\.")) {
      node = node == null ? null : node.get(part);
    }
    return node;
  }

  private static String text(JsonNode value) {
    if (value.isArray()) {
      List<String> items = new ArrayList<>();
      value.forEach(item -> items.add(item.asText()));
      return "[" + String.join(", ", items) + "]";
    }
    return value.asText();
  }

  /** A value with any credential put into a URL against the documentation's advice hidden. */
  static String masked(String value) {
    return value
        .replaceAll("(://[^/@:\\s]*):[^/@\\s]+@", "$1:******@")
        .replaceAll("(?i)(password=)[^&;\\s]*", "$1******");
  }

  /**
   * The defaults as written in {@link #DEFAULT_TEXT}; a test checks that they agree with the
   * records.
   */
  private static final class DefaultsHolder {
    static final ObjectNode TREE =
        read(Path.of("medlake.yaml"), DEFAULT_TEXT, new LinkedHashMap<>());
  }

  private static String path(JsonMappingException e) {
    return e.getPath().stream()
        .map(
            reference ->
                reference.getFieldName() == null
                    ? "[" + reference.getIndex() + "]"
                    : reference.getFieldName())
        .collect(Collectors.joining("."));
  }
}
