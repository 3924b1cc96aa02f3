package org.medlake.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.security.Role;
import org.medlake.ingest.pipeline.IngestService;
import org.medlake.ingest.pipeline.ProgressListener;
import org.medlake.platform.store.PlatformDatabase;
import org.medlake.testkit.GlucoseSource;

/**
 * The web's TypeScript types are generated from the OpenAPI document's schemas, so the document
 * must say what the server really answers: each answer below is checked against its operation's
 * response schema (property names, required properties, types, nullability), over a lake with one
 * delivery.
 */
class OpenApiSchemasIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path directory;

  @Test
  void everyAnswerHasTheShapeItsOperationDocuments() throws Exception {
    MedlakeHome home = MedlakeHome.open(directory.resolve("home"));
    // monthly, so that a month without a delivery is listed as missing
    Files.writeString(
        home.sources().resolve("h009.yaml"), GlucoseSource.MAPPING + "cadence: monthly\n");
    String runId;
    try (IngestService ingest = IngestService.open(home, ProgressListener.NONE)) {
      // one row whose collection time is unreadable, so that the run has a rejected row to show
      Path file =
          Files.writeString(
              directory.resolve("results.csv"),
              GlucoseSource.csv(1, 20) + "P99,2345-7,Glucose,95.5,mg/dL,yesterday\n");
      runId =
          ingest
              .ingest(new IngestService.Delivery(file, GlucoseSource.NAME, YearMonth.of(2024, 1)))
              .id();
    }
    String token;
    try (PlatformDatabase platform = PlatformDatabase.open(home.platformDatabase())) {
      platform
          .users()
          .add("adm", Role.ADMIN, Optional.empty(), "correct horse battery".toCharArray());
      token = platform.tokens().create("adm", "test", Duration.ofDays(1)).secret();
    }
    try (MedlakeServer server = MedlakeServer.start(home, 0)) {
      HttpClient http = HttpClient.newHttpClient();
      JsonNode document =
          JSON.readTree(
              http.send(
                      HttpRequest.newBuilder(uri(server, "/api/openapi.json")).GET().build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body());
      List<String[]> calls =
          List.of(
              new String[] {"GET", "/api/v1/me", "/api/v1/me", null},
              new String[] {"GET", "/api/v1/tables", "/api/v1/tables", null},
              new String[] {"GET", "/api/v1/tables/{name}", "/api/v1/tables/lab_results", null},
              new String[] {
                "GET",
                "/api/v1/tables/{name}/partitions",
                "/api/v1/tables/lab_results/partitions",
                null
              },
              new String[] {
                "GET",
                "/api/v1/tables/{name}/snapshots",
                "/api/v1/tables/lab_results/snapshots",
                null
              },
              new String[] {"GET", "/api/v1/queries", "/api/v1/queries", null},
              new String[] {
                "POST",
                "/api/v1/sql",
                "/api/v1/sql",
                "{\"sql\": \"SELECT hospital_id, count(*) AS n FROM lab_results GROUP BY 1\"}"
              },
              new String[] {
                "POST",
                "/api/v1/sql",
                "/api/v1/sql",
                "{\"sql\": \"SELECT count(*) FROM lab_results\", \"dry_run\": true}"
              },
              new String[] {
                "POST",
                "/api/v1/query",
                "/api/v1/query",
                "{\"query\": {\"table\": \"lab_results\", \"group_by\": [{\"column\": \"hospital_id\"}],"
                    + " \"aggregates\": [{\"function\": \"count\"}], \"limit\": 10}}"
              },
              new String[] {"GET", "/api/v1/runs", "/api/v1/runs", null},
              new String[] {"GET", "/api/v1/runs/{id}", "/api/v1/runs/" + runId, null},
              new String[] {
                "GET", "/api/v1/runs/{id}/status", "/api/v1/runs/" + runId + "/status", null
              },
              new String[] {
                "GET", "/api/v1/runs/{id}/rejects", "/api/v1/runs/" + runId + "/rejects", null
              },
              new String[] {
                "GET",
                "/api/v1/runs/{id}/rejects-layout",
                "/api/v1/runs/" + runId + "/rejects-layout",
                null
              },
              new String[] {
                "GET",
                "/api/v1/deliveries/missing",
                "/api/v1/deliveries/missing?month=2024-02",
                null
              },
              new String[] {"GET", "/api/v1/users", "/api/v1/users", null},
              new String[] {
                "POST",
                "/api/v1/users",
                "/api/v1/users",
                "{\"name\": \"ana\", \"role\": \"analyst\", \"password\": \"correct horse battery\"}"
              },
              new String[] {
                "POST",
                "/api/v1/tokens",
                "/api/v1/tokens",
                "{\"user\": \"ana\", \"description\": \"schema test\", \"days\": 1}"
              },
              new String[] {"GET", "/api/v1/tokens", "/api/v1/tokens", null},
              // a fresh database: the dashboard saved first is dashboard 1
              new String[] {
                "POST",
                "/api/v1/dashboards",
                "/api/v1/dashboards",
                "{\"name\": \"Schema\", \"sharing\": {\"visibility\": \"roles\", \"roles\": [\"viewer\"]},"
                    + " \"filters\": {\"from_month\": \"2024-01\"}, \"tiles\": [{\"id\": \"n\", \"title\": \"N\","
                    + " \"query\": {\"table\": \"lab_results\", \"group_by\": [{\"column\": \"hospital_id\"}],"
                    + " \"aggregates\": [{\"function\": \"count\"}], \"limit\": 10},"
                    + " \"chart\": {\"type\": \"bar\"}, \"width\": 1}]}"
              },
              new String[] {"GET", "/api/v1/dashboards", "/api/v1/dashboards", null},
              new String[] {"GET", "/api/v1/dashboards/{id}", "/api/v1/dashboards/1", null},
              new String[] {
                "POST",
                "/api/v1/dashboards/{id}/versions/{version}/restore",
                "/api/v1/dashboards/1/versions/1/restore",
                ""
              },
              new String[] {
                "GET", "/api/v1/dashboards/{id}/versions", "/api/v1/dashboards/1/versions", null
              },
              new String[] {
                "GET",
                "/api/v1/dashboards/{id}/versions/{version}",
                "/api/v1/dashboards/1/versions/2",
                null
              },
              new String[] {
                "POST",
                "/api/v1/dashboards/{id}/tiles/{tile}/run",
                "/api/v1/dashboards/1/tiles/n/run",
                "{}"
              },
              new String[] {
                "POST",
                "/api/v1/dashboards/{id}/tiles/{tile}/run",
                "/api/v1/dashboards/1/tiles/n/run",
                "{\"dry_run\": true}"
              },
              new String[] {"GET", "/api/v1/audit", "/api/v1/audit", null});
      for (String[] call : calls) {
        HttpRequest.Builder request =
            HttpRequest.newBuilder(uri(server, call[2])).header("Authorization", "Bearer " + token);
        request =
            call[3] == null
                ? request.GET()
                : request
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(call[3]));
        HttpResponse<String> response =
            http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        String operation = call[0] + " " + call[1];
        assertThat(response.statusCode())
            .as(operation + ": " + response.body())
            .isBetween(200, 299);
        JsonNode schema =
            document.at(
                "/paths/"
                    + call[1].replace("~", "~0").replace("/", "~1")
                    + "/"
                    + call[0].toLowerCase(Locale.ROOT)
                    + "/responses/"
                    + response.statusCode()
                    + "/content/application~1json/schema");
        assertThat(schema.isMissingNode())
            .as(operation + " documents its " + response.statusCode() + " answer's schema")
            .isFalse();
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.isEmpty() && body.isArray())
            .as(operation + " answers something to check")
            .isFalse();
        List<String> problems = new ArrayList<>();
        conform(document, schema, body, operation, problems);
        assertThat(problems).as(operation).isEmpty();
      }
    }
  }

  /**
   * Collects where {@code value} departs from {@code schema} (the OpenAPI 3.0 subset the document
   * uses).
   */
  private static void conform(
      JsonNode document, JsonNode schema, JsonNode value, String at, List<String> problems) {
    if (schema.has("$ref")) {
      conform(document, document.at(schema.get("$ref").asText().substring(1)), value, at, problems);
      return;
    }
    if (value.isNull()) {
      if (!schema.path("nullable").asBoolean(false)) {
        problems.add(at + ": null, but not nullable");
      }
      return;
    }
    if (schema.has("oneOf")) {
      for (JsonNode option : schema.get("oneOf")) {
        List<String> optionProblems = new ArrayList<>();
        conform(document, option, value, at, optionProblems);
        if (optionProblems.isEmpty()) {
          return;
        }
      }
      problems.add(at + ": matches none of oneOf: " + value);
      return;
    }
    String type = schema.path("type").asText("");
    switch (type) {
      case "object" -> {
        if (!value.isObject()) {
          problems.add(at + ": not an object");
          return;
        }
        JsonNode properties = schema.path("properties");
        JsonNode additional = schema.path("additionalProperties");
        for (JsonNode required : schema.path("required")) {
          if (!value.has(required.asText())) {
            problems.add(at + ": required property '" + required.asText() + "' is missing");
          }
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = value.fields(); fields.hasNext(); ) {
          Map.Entry<String, JsonNode> field = fields.next();
          if (properties.has(field.getKey())) {
            conform(
                document,
                properties.get(field.getKey()),
                field.getValue(),
                at + "." + field.getKey(),
                problems);
          } else if (additional.isObject()) {
            conform(document, additional, field.getValue(), at + "." + field.getKey(), problems);
          } else if (!additional.asBoolean(false)) {
            problems.add(
                at
                    + ": property '"
                    + field.getKey()
                    + "' is not documented (documented: "
                    + new TreeSet<>(names(properties))
                    + ")");
          }
        }
      }
      case "array" -> {
        if (!value.isArray()) {
          problems.add(at + ": not an array");
          return;
        }
        for (int i = 0; i < value.size(); i++) {
          conform(document, schema.path("items"), value.get(i), at + "[" + i + "]", problems);
        }
      }
      case "string" -> {
        if (!value.isTextual()) {
          problems.add(at + ": not a string: " + value);
        } else if (schema.has("enum") && !names(schema.get("enum")).contains(value.asText())) {
          problems.add(at + ": '" + value.asText() + "' is not one of " + schema.get("enum"));
        }
      }
      case "integer" -> {
        if (!value.isIntegralNumber()) {
          problems.add(at + ": not an integer: " + value);
        }
      }
      case "number" -> {
        if (!value.isNumber()) {
          problems.add(at + ": not a number: " + value);
        }
      }
      case "boolean" -> {
        if (!value.isBoolean()) {
          problems.add(at + ": not a boolean: " + value);
        }
      }
      default -> problems.add(at + ": the schema names no type: " + schema);
    }
  }

  private static List<String> names(JsonNode node) {
    List<String> names = new ArrayList<>();
    if (node.isArray()) {
      node.forEach(element -> names.add(element.asText()));
    } else {
      node.fieldNames().forEachRemaining(names::add);
    }
    return names;
  }

  private static URI uri(MedlakeServer server, String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }
}
