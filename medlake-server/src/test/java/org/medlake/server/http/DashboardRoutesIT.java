package org.medlake.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.security.Role;
import org.medlake.ingest.pipeline.IngestService;
import org.medlake.ingest.pipeline.ProgressListener;
import org.medlake.platform.store.PlatformDatabase;
import org.medlake.testkit.generate.GeneratorOptions;
import org.medlake.testkit.generate.LabDataGenerator;

/** Dashboards over real HTTP on a random port, on ingested generated data. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardRoutesIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PASSWORD = "correct horse battery";

  /** Small cells by construction: per test, sex and age band. */
  private static final String SMALL_CELLS_QUERY =
      """
      {"table": "lab_results",
       "group_by": [{"column": "test_code"}, {"column": "patient_sex"},
                    {"column": "patient_birth_year", "bucket": "age_band"}],
       "aggregates": [{"function": "count"}], "limit": 1000}""";

  private MedlakeServer server;
  private String ada;
  private String bob;
  private String vic;
  private String adm;
  private String upl;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  void start(@TempDir Path directory) throws Exception {
    MedlakeHome home = MedlakeHome.open(directory.resolve("home"));
    LabDataGenerator.generate(
        GeneratorOptions.builder(home.landing(), home.sources())
            .hospitals(2)
            .months(2)
            .rowsPerFile(800)
            .seed(7)
            .build(),
        rows -> {});
    try (IngestService ingest = IngestService.open(home, ProgressListener.NONE)) {
      ingest.ingest(ingest.discover(List.of(home.landing()), Optional.empty(), Optional.empty()));
    }
    try (PlatformDatabase platform = PlatformDatabase.open(home.platformDatabase())) {
      ada = user(platform, "ada", Role.ANALYST, null);
      bob = user(platform, "bob", Role.ANALYST, null);
      vic = user(platform, "vic", Role.VIEWER, null);
      adm = user(platform, "adm", Role.ADMIN, null);
      upl = user(platform, "upl", Role.UPLOADER, "H001");
    }
    assertThat(DemoDashboards.ensure(home)).isPresent();
    assertThat(DemoDashboards.ensure(home)).isEmpty();
    server = MedlakeServer.start(home, 0);
  }

  private static String user(PlatformDatabase platform, String name, Role role, String hospital) {
    platform.users().add(name, role, Optional.ofNullable(hospital), PASSWORD.toCharArray());
    return platform.tokens().create(name, "test", Duration.ofDays(1)).secret();
  }

  @AfterAll
  void stop() {
    server.close();
  }

  @Test
  void theDemoDashboardIsSharedWithEveryReaderAndEachTileRunsForAViewer() throws Exception {
    JsonNode demo = null;
    for (JsonNode summary : JSON.readTree(send("GET", "/api/v1/dashboards", vic, null).body())) {
      if (summary.get("name").asText().equals("Lab overview")) {
        demo = summary;
      }
    }
    assertThat(demo).isNotNull();
    assertThat(demo.get("owner").asText()).isEqualTo("admin");
    assertThat(demo.get("tiles").asInt()).isEqualTo(4);
    assertThat(demo.get("sharing").get("roles").toString())
        .isEqualTo("[\"admin\",\"analyst\",\"viewer\"]");
    long id = demo.get("id").asLong();
    assertThat(ids(bob)).contains(id);
    for (String tile : List.of("volumes", "top-tests", "distribution", "abnormal")) {
      HttpResponse<String> run =
          send("POST", "/api/v1/dashboards/" + id + "/tiles/" + tile + "/run", vic, "{}");
      assertThat(run.statusCode()).as(tile + ": " + run.body()).isEqualTo(200);
      assertThat(JSON.readTree(run.body()).get("result").get("rows")).as(tile).isNotEmpty();
    }
  }

  @Test
  void aPrivateDashboardIsSeenByItsOwnerAndAdminsUntilSharedWithARole() throws Exception {
    HttpResponse<String> created =
        send("POST", "/api/v1/dashboards", ada, draft("Private", "private", "[]"));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonNode dashboard = JSON.readTree(created.body());
    long id = dashboard.get("id").asLong();
    assertThat(dashboard.get("owner").asText()).isEqualTo("ada");
    assertThat(dashboard.get("version").asInt()).isEqualTo(1);
    assertThat(dashboard.get("updated_by").asText()).isEqualTo("ada");
    assertThat(dashboard.get("description").asText()).isEqualTo("for the test");
    assertThat(dashboard.get("sharing").toString())
        .isEqualTo("{\"visibility\":\"private\",\"roles\":[]}");
    assertThat(dashboard.get("tiles")).hasSize(2);
    assertThat(dashboard.get("filters").get("hospitals").get(0).asText()).isEqualTo("H001");

    assertThat(ids(ada)).contains(id);
    assertThat(ids(adm)).contains(id);
    assertThat(ids(bob)).doesNotContain(id);
    assertThat(ids(vic)).doesNotContain(id);
    assertThat(send("GET", "/api/v1/dashboards/" + id, vic, null).statusCode()).isEqualTo(404);
    assertThat(send("GET", "/api/v1/dashboards/" + id, bob, null).statusCode()).isEqualTo(404);
    assertThat(send("GET", "/api/v1/dashboards", upl, null).statusCode()).isEqualTo(403);

    HttpResponse<String> shared =
        send(
            "PUT",
            "/api/v1/dashboards/" + id,
            ada,
            withBase(draft("Shared", "roles", "[\"viewer\"]"), 1));
    assertThat(shared.statusCode()).as(shared.body()).isEqualTo(200);
    assertThat(JSON.readTree(shared.body()).get("version").asInt()).isEqualTo(2);
    assertThat(ids(vic)).contains(id);
    assertThat(ids(bob)).doesNotContain(id);
    JsonNode summary = summary(vic, id);
    assertThat(summary.get("name").asText()).isEqualTo("Shared");
    assertThat(summary.get("tiles").asInt()).isEqualTo(2);
    assertThat(summary.get("owner").asText()).isEqualTo("ada");
    assertThat(summary.get("sharing").get("roles").get(0).asText()).isEqualTo("viewer");
    assertThat(send("GET", "/api/v1/dashboards/" + id, vic, null).statusCode()).isEqualTo(200);
  }

  @Test
  void onlyTheOwnerOrAnAdminChangesDeletesOrRestores() throws Exception {
    long id = create(ada, draft("Team", "roles", "[\"analyst\", \"viewer\"]"));

    assertThat(send("GET", "/api/v1/dashboards/" + id, bob, null).statusCode()).isEqualTo(200);
    HttpResponse<String> bobEdits =
        send(
            "PUT",
            "/api/v1/dashboards/" + id,
            bob,
            withBase(draft("Mine now", "private", "[]"), 1));
    assertThat(bobEdits.statusCode()).isEqualTo(403);
    assertThat(JSON.readTree(bobEdits.body()).get("message").asText())
        .isEqualTo("Only its owner ada or an admin may change dashboard " + id);
    assertThat(
            send("PUT", "/api/v1/dashboards/" + id, vic, withBase(draft("x", "private", "[]"), 1))
                .statusCode())
        .isEqualTo(403);
    assertThat(send("DELETE", "/api/v1/dashboards/" + id, bob, null).statusCode()).isEqualTo(403);
    assertThat(
            send("POST", "/api/v1/dashboards/" + id + "/versions/1/restore", bob, "").statusCode())
        .isEqualTo(403);
    assertThat(send("POST", "/api/v1/dashboards", vic, draft("v", "private", "[]")).statusCode())
        .isEqualTo(403);

    HttpResponse<String> adminEdits =
        send(
            "PUT",
            "/api/v1/dashboards/" + id,
            adm,
            withBase(draft("Team (admin)", "roles", "[\"analyst\"]"), 1));
    assertThat(adminEdits.statusCode()).as(adminEdits.body()).isEqualTo(200);
    assertThat(JSON.readTree(adminEdits.body()).get("owner").asText()).isEqualTo("ada");
    assertThat(JSON.readTree(adminEdits.body()).get("updated_by").asText()).isEqualTo("adm");

    assertThat(send("DELETE", "/api/v1/dashboards/" + id, ada, null).statusCode()).isEqualTo(204);
    assertThat(send("GET", "/api/v1/dashboards/" + id, ada, null).statusCode()).isEqualTo(404);
    assertThat(send("GET", "/api/v1/dashboards/" + id + "/versions", adm, null).statusCode())
        .isEqualTo(404);
  }

  @Test
  void anEditFromAnOldVersionIsAConflict() throws Exception {
    long id = create(ada, draft("Race", "private", "[]"));

    assertThat(
            send(
                    "PUT",
                    "/api/v1/dashboards/" + id,
                    ada,
                    withBase(draft("First", "private", "[]"), 1))
                .statusCode())
        .isEqualTo(200);
    HttpResponse<String> second =
        send("PUT", "/api/v1/dashboards/" + id, ada, withBase(draft("Second", "private", "[]"), 1));

    assertThat(second.statusCode()).isEqualTo(409);
    JsonNode error = JSON.readTree(second.body());
    assertThat(error.get("code").asText()).isEqualTo("VERSION_CONFLICT");
    assertThat(error.get("message").asText())
        .isEqualTo(
            "dashboard "
                + id
                + " is at version 2, not 1: someone saved it meanwhile; reload it and apply your"
                + " change again");
    HttpResponse<String> noBase =
        send("PUT", "/api/v1/dashboards/" + id, ada, draft("Third", "private", "[]"));
    assertThat(noBase.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(noBase.body()).get("message").asText())
        .isEqualTo("base_version is required: the version this edit started from (now 2)");
    assertThat(
            JSON.readTree(send("GET", "/api/v1/dashboards/" + id, ada, null).body())
                .get("name")
                .asText())
        .isEqualTo("First");
  }

  @Test
  void everyVersionIsKeptAndAnOldOneCanBeRestored() throws Exception {
    long id = create(ada, draft("V1", "private", "[]"));
    ObjectNode second = withBaseNode(draft("V2", "private", "[]"), 1);
    ((com.fasterxml.jackson.databind.node.ArrayNode) second.get("tiles")).remove(1);
    assertThat(send("PUT", "/api/v1/dashboards/" + id, ada, second.toString()).statusCode())
        .isEqualTo(200);

    HttpResponse<String> restored =
        send("POST", "/api/v1/dashboards/" + id + "/versions/1/restore", adm, "");

    assertThat(restored.statusCode()).as(restored.body()).isEqualTo(200);
    JsonNode current = JSON.readTree(restored.body());
    assertThat(current.get("version").asInt()).isEqualTo(3);
    assertThat(current.get("name").asText()).isEqualTo("V1");
    assertThat(current.get("tiles")).hasSize(2);
    assertThat(current.get("updated_by").asText()).isEqualTo("adm");
    JsonNode versions =
        JSON.readTree(send("GET", "/api/v1/dashboards/" + id + "/versions", ada, null).body());
    assertThat(versions.findValuesAsText("version")).containsExactly("3", "2", "1");
    assertThat(versions.findValuesAsText("name")).containsExactly("V1", "V2", "V1");
    assertThat(versions.get(0).get("restored_from").asInt()).isEqualTo(1);
    assertThat(versions.get(1).get("restored_from").isNull()).isTrue();
    assertThat(versions.get(2).get("saved_by").asText()).isEqualTo("ada");
    JsonNode two =
        JSON.readTree(send("GET", "/api/v1/dashboards/" + id + "/versions/2", ada, null).body());
    assertThat(two.get("name").asText()).isEqualTo("V2");
    assertThat(two.get("tiles")).hasSize(1);
    assertThat(send("GET", "/api/v1/dashboards/" + id + "/versions/9", ada, null).statusCode())
        .isEqualTo(404);
    assertThat(
            send("POST", "/api/v1/dashboards/" + id + "/versions/9/restore", ada, "").statusCode())
        .isEqualTo(404);
  }

  @Test
  void draftsAreCheckedWithOneLineNamingTheProperty() throws Exception {
    assertRefused(
        draft("x", "private", "[]").replace("\"type\": \"bar\"", "\"type\": \"pie\""),
        "tiles[0].chart.type 'pie' is not one of line, bar, box, histogram, table, number");
    assertRefused(
        draft("x", "private", "[]").replace("\"name\": \"x\"", "\"name\": \"x\", \"colour\": 1"),
        "unknown property 'colour'; known properties: name, description, sharing, filters, tiles,"
            + " base_version");
    assertRefused(
        draft("x", "private", "[]").replace("\"id\": \"volumes\"", "\"id\": \"Volumes!\""),
        "tiles[1].id 'Volumes!' must be 1 to 40 characters from a-z, 0-9 and '-'");
    assertRefused(
        draft("x", "private", "[]").replace("\"id\": \"volumes\"", "\"id\": \"cells\""),
        "tiles[1].id 'cells' is used by another tile");
    assertRefused(
        draft("x", "private", "[]").replace("\"name\": \"monthly-volume\"", "\"name\": \"nope\""),
        "tiles[1].predefined.name: No predefined query 'nope' (queries: ");
    assertRefused(
        draft("x", "private", "[]")
            .replace("\"column\": \"patient_sex\"", "\"column\": \"shoe_size\""),
        "tiles[0].query: ");
    assertRefused(
        draft("x", "private", "[]")
            .replace("\"from_month\": \"2024-01\"", "\"from_month\": \"2025-01\""),
        "filters.from_month 2025-01 is after filters.to_month 2024-12");
    assertRefused(
        draft("x", "roles", "[\"uploader\"]"),
        "sharing.roles cannot hold uploader: uploaders do not run queries");
    assertRefused(
        draft("x", "roles", "[]"),
        "sharing.roles must name a role when sharing.visibility is roles");
    assertRefused(
        draft("x", "private", "[]").replace("\"width\": 2", "\"width\": 3"),
        "tiles[1].width must be 1 or 2");
  }

  private void assertRefused(String body, String messageStart) throws Exception {
    HttpResponse<String> response = send("POST", "/api/v1/dashboards", ada, body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    assertThat(JSON.readTree(response.body()).get("message").asText()).startsWith(messageStart);
    assertThat(JSON.readTree(response.body()).get("message").asText()).doesNotContain("\n");
  }

  @Test
  void aViewerGetsATilesSuppressedCellsExactlyAsFromQuery() throws Exception {
    long id = create(ada, draft("For viewers", "roles", "[\"viewer\"]"));
    // the tile's query with the dashboard's filters, as /query takes it
    ObjectNode query = (ObjectNode) JSON.readTree(SMALL_CELLS_QUERY);
    query.set(
        "filters",
        JSON.readTree(
            """
            [{"column": "hospital_id", "op": "in", "values": ["H001"]},
             {"column": "collected_at", "op": ">=", "values": ["2024-01-01"]},
             {"column": "collected_at", "op": "<", "values": ["2025-01-01"]}]"""));

    HttpResponse<String> direct = send("POST", "/api/v1/query", vic, "{\"query\": " + query + "}");
    HttpResponse<String> tile =
        send("POST", "/api/v1/dashboards/" + id + "/tiles/cells/run", vic, "{}");

    assertThat(direct.statusCode()).as(direct.body()).isEqualTo(200);
    assertThat(tile.statusCode()).as(tile.body()).isEqualTo(200);
    JsonNode viaQuery = JSON.readTree(direct.body());
    JsonNode viaTile = JSON.readTree(tile.body());
    assertThat(viaQuery.get("suppressed_cells").asInt()).isPositive();
    assertThat(viaTile.get("suppressed_cells")).isEqualTo(viaQuery.get("suppressed_cells"));
    assertThat(viaTile.get("result")).isEqualTo(viaQuery.get("result"));
    assertThat(viaTile.get("snapshot_ids")).isEqualTo(viaQuery.get("snapshot_ids"));
    // the same request on the same snapshot: the tile is answered from the query's cached result
    assertThat(viaTile.get("cached").asBoolean()).isTrue();

    JsonNode analyst =
        JSON.readTree(
            send("POST", "/api/v1/dashboards/" + id + "/tiles/cells/run", ada, "{}").body());
    assertThat(analyst.get("suppressed_cells").asInt()).isZero();
  }

  @Test
  void tileRunsAreAuditedAsTheirQueriesAndSavesAsAdminActions() throws Exception {
    long id = create(ada, draft("Audited", "roles", "[\"viewer\"]"));
    assertThat(
            send("POST", "/api/v1/dashboards/" + id + "/tiles/volumes/run", vic, "{}").statusCode())
        .isEqualTo(200);
    assertThat(send("DELETE", "/api/v1/dashboards/" + id, ada, null).statusCode()).isEqualTo(204);

    JsonNode queries =
        JSON.readTree(
            send("GET", "/api/v1/audit?action=query&actor=vic&limit=200", adm, null).body());
    JsonNode run = null;
    for (JsonNode event : queries) {
      if (event.path("details").path("dashboard_id").asLong() == id) {
        run = event;
      }
    }
    assertThat(run).as(queries.toString()).isNotNull();
    assertThat(run.get("target").asText()).isEqualTo("predefined:monthly-volume");
    assertThat(run.get("outcome").asText()).isEqualToIgnoringCase("ok");
    assertThat(run.get("details").get("tile").asText()).isEqualTo("volumes");
    assertThat(run.get("details").get("bytes_scanned").asLong()).isPositive();
    assertThat(run.get("details").has("snapshot_ids")).isTrue();

    List<String> admin = new ArrayList<>();
    for (JsonNode event :
        JSON.readTree(
            send("GET", "/api/v1/audit?action=dashboard&actor=ada&limit=200", adm, null).body())) {
      admin.add(event.get("target").asText());
    }
    assertThat(admin).contains("save dashboard " + id, "delete dashboard " + id);
  }

  @Test
  void theRequestsFiltersReplaceTheDashboards() throws Exception {
    long id = create(ada, draft("Filters", "private", "[]"));
    String path = "/api/v1/dashboards/" + id + "/tiles/volumes/run";

    assertThat(hospitals(send("POST", path, ada, "{}"))).containsOnly("H001");
    assertThat(hospitals(send("POST", path, ada, "{\"filters\": {\"hospitals\": [\"H002\"]}}")))
        .containsOnly("H002");
    assertThat(hospitals(send("POST", path, ada, "{\"filters\": {}}")))
        .containsOnly("H001", "H002");
    JsonNode estimate = JSON.readTree(send("POST", path, ada, "{\"dry_run\": true}").body());
    assertThat(estimate.has("result")).isFalse();
    assertThat(estimate.toString()).contains("bytes");

    HttpResponse<String> sex = send("POST", path, ada, "{\"filters\": {\"sex\": [\"F\"]}}");
    assertThat(sex.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(sex.body()).get("message").asText())
        .isEqualTo(
            "filters.sex: predefined query 'monthly-volume' cannot be filtered by it (it has no"
                + " parameter for it); clear the filter or use a structured query tile");
    HttpResponse<String> badMonth =
        send("POST", path, ada, "{\"filters\": {\"to_month\": \"2024-13\"}}");
    assertThat(badMonth.statusCode()).isEqualTo(400);
    assertThat(send("POST", "/api/v1/dashboards/" + id + "/tiles/nope/run", ada, "{}").statusCode())
        .isEqualTo(404);
    assertThat(send("POST", path, vic, "{}").statusCode()).isEqualTo(404);
  }

  @Test
  void ageBandsFilterStructuredTilesAndRefusePredefinedOnes() throws Exception {
    long id = create(ada, draft("Ages", "roles", "[\"viewer\"]"));
    String cells = "/api/v1/dashboards/" + id + "/tiles/cells/run";

    for (String token : List.of(ada, vic)) {
      HttpResponse<String> run =
          send("POST", cells, token, "{\"filters\": {\"age_bands\": [\"18-29\", \"90+\"]}}");
      assertThat(run.statusCode()).as(run.body()).isEqualTo(200);
      assertThat(column(run, "age_band"))
          .isNotEmpty()
          .allMatch(band -> band.equals("18-29") || band.equals("90+"));
    }
    assertThat(column(send("POST", cells, ada, "{}"), "age_band")).contains("30-39", "60-69");
    HttpResponse<String> predefined =
        send(
            "POST",
            "/api/v1/dashboards/" + id + "/tiles/volumes/run",
            ada,
            "{\"filters\": {\"age_bands\": [\"90+\"]}}");
    assertThat(predefined.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(predefined.body()).get("message").asText())
        .startsWith(
            "filters.age_bands: predefined query 'monthly-volume' cannot be filtered by it");
    HttpResponse<String> notABand =
        send("POST", cells, ada, "{\"filters\": {\"age_bands\": [\"20-29\"]}}");
    assertThat(notABand.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(notABand.body()).get("message").asText())
        .isEqualTo(
            "filters.age_bands: '20-29' is not an age band (0-17, 18-29, 30-39, 40-49, 50-59,"
                + " 60-69, 70-79, 80-89, 90+)");
  }

  private static List<String> column(HttpResponse<String> response, String name) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode result = JSON.readTree(response.body()).get("result");
    int index = -1;
    for (int i = 0; i < result.get("columns").size(); i++) {
      if (result.get("columns").get(i).get("name").asText().equals(name)) {
        index = i;
      }
    }
    assertThat(index).as(name).isNotNegative();
    List<String> values = new ArrayList<>();
    for (JsonNode row : result.get("rows")) {
      values.add(row.get(index).asText());
    }
    return values;
  }

  private static List<String> hospitals(HttpResponse<String> response) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode result = JSON.readTree(response.body()).get("result");
    int column = -1;
    for (int i = 0; i < result.get("columns").size(); i++) {
      if (result.get("columns").get(i).get("name").asText().equals("hospital_id")) {
        column = i;
      }
    }
    List<String> hospitals = new ArrayList<>();
    if (column >= 0) {
      for (JsonNode row : result.get("rows")) {
        hospitals.add(row.get(column).asText());
      }
    }
    return hospitals;
  }

  /**
   * A draft with a structured tile "cells" (small cells by construction) and a predefined tile
   * "volumes" (monthly-volume), filtered to hospital H001 in 2024.
   */
  private static String draft(String name, String visibility, String roles) {
    return """
        {"name": "%s", "description": "for the test",
         "sharing": {"visibility": "%s", "roles": %s},
         "filters": {"hospitals": ["H001"], "from_month": "2024-01", "to_month": "2024-12"},
         "tiles": [
           {"id": "cells", "title": "Cells", "query": %s, "chart": {"type": "bar", "measure": "count"}},
           {"id": "volumes", "title": "Volumes", "predefined": {"name": "monthly-volume", "parameters": {}},
            "chart": {"type": "line", "options": {"stack": false}}, "width": 2}
         ]}"""
        .formatted(name, visibility, roles, SMALL_CELLS_QUERY);
  }

  private static String withBase(String draft, int base) throws Exception {
    return withBaseNode(draft, base).toString();
  }

  private static ObjectNode withBaseNode(String draft, int base) throws Exception {
    ObjectNode node = (ObjectNode) JSON.readTree(draft);
    node.put("base_version", base);
    return node;
  }

  private long create(String token, String draft) throws Exception {
    HttpResponse<String> created = send("POST", "/api/v1/dashboards", token, draft);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return JSON.readTree(created.body()).get("id").asLong();
  }

  private List<Long> ids(String token) throws Exception {
    HttpResponse<String> response = send("GET", "/api/v1/dashboards", token, null);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    List<Long> ids = new ArrayList<>();
    JSON.readTree(response.body()).forEach(summary -> ids.add(summary.get("id").asLong()));
    return ids;
  }

  private JsonNode summary(String token, long id) throws Exception {
    for (JsonNode summary : JSON.readTree(send("GET", "/api/v1/dashboards", token, null).body())) {
      if (summary.get("id").asLong() == id) {
        return summary;
      }
    }
    throw new AssertionError("no dashboard " + id);
  }

  private HttpResponse<String> send(String method, String path, String token, String body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .header("Authorization", "Bearer " + token)
            .timeout(Duration.ofSeconds(60))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
