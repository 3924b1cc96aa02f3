package org.medlake.platform.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.medlake.core.security.Role;

@ParameterizedClass(name = "{0}")
@ValueSource(strings = {PlatformDatabases.SQLITE, PlatformDatabases.POSTGRESQL})
class AuditLogIT {
  private static final Instant START = Instant.parse("2026-03-01T08:00:00Z");

  @Parameter String kind;

  @TempDir Path directory;

  private PlatformDatabases databases;
  private PlatformDatabase database;
  private CollectingLineWriter lines;
  private AuditLog audit;

  @BeforeEach
  void open() {
    databases = PlatformDatabases.create(kind, directory);
    database = databases.open(java.time.Clock.systemUTC());
    lines = new CollectingLineWriter();
    audit = new JdbcAuditLog(databases.name(), databases.connections(), lines);
  }

  @AfterEach
  void close() {
    database.close();
  }

  @Test
  void recordsABatchInOneTransactionWithALineEach() {
    List<AuditEvent> batch =
        List.of(
            at(Instant.parse("2026-03-01T08:00:00Z"), "ann", AuditAction.SQL, AuditOutcome.OK),
            at(
                Instant.parse("2026-03-01T08:00:01Z"),
                "bob",
                AuditAction.QUERY,
                AuditOutcome.REFUSED),
            at(
                Instant.parse("2026-03-01T08:00:02Z"),
                "cid",
                AuditAction.EXPORT,
                AuditOutcome.FAILED));

    audit.recordAll(batch);

    assertThat(audit.search(AuditQuery.builder().build()))
        .containsExactly(batch.get(2).withId(3), batch.get(1).withId(2), batch.get(0).withId(1));
    assertThat(lines.lines()).hasSize(3);
  }

  @Test
  void largeBatchesGiveEachLineTheIdOfItsOwnRow() throws Exception {
    List<AuditEvent> batch = new ArrayList<>();
    for (int i = 0; i < 123; i++) {
      batch.add(at(START.plusMillis(i), "user" + i, AuditAction.QUERY, AuditOutcome.OK));
    }

    audit.recordAll(batch.subList(0, 7));
    audit.recordAll(batch.subList(7, 123));

    Map<Long, String> actors = new java.util.HashMap<>();
    audit
        .search(AuditQuery.builder().limit(1000).build())
        .forEach(event -> actors.put(event.id().getAsLong(), event.actor()));
    assertThat(actors).hasSize(123);
    ObjectMapper json = new ObjectMapper();
    assertThat(lines.lines()).hasSize(123);
    for (int i = 0; i < 123; i++) {
      JsonNode line = json.readTree(lines.lines().get(i));
      assertThat(line.get("actor").asText()).isEqualTo("user" + i);
      assertThat(actors.get(line.get("id").asLong())).isEqualTo("user" + i);
    }
  }

  @Test
  void writesBatchesOnOneHeldConnectionAndReplacesAStaleOne() throws SQLException {
    List<java.sql.Connection> opened = new ArrayList<>();
    ConnectionSource source = databases.connections();
    try (JdbcAuditLog log =
        new JdbcAuditLog(
            databases.name(),
            () -> {
              java.sql.Connection connection = source.open();
              opened.add(connection);
              return connection;
            },
            lines)) {
      log.recordAll(List.of(at(START, "ann", AuditAction.QUERY, AuditOutcome.OK)));
      log.recordAll(List.of(at(START.plusSeconds(1), "bob", AuditAction.QUERY, AuditOutcome.OK)));
      assertThat(opened).hasSize(1);

      // as a connection to a restarted database server would be
      opened.get(0).close();
      log.recordAll(List.of(at(START.plusSeconds(2), "cid", AuditAction.SQL, AuditOutcome.OK)));

      assertThat(opened).hasSize(2);
      assertThat(log.search(AuditQuery.builder().build()))
          .extracting(AuditEvent::actor)
          .containsExactly("cid", "bob", "ann");
      assertThat(lines.lines()).hasSize(3).last().asString().startsWith("{\"id\":3,");
    }
    assertThat(opened.get(1).isClosed()).isTrue();
  }

  @Test
  void recordsAndReadsBackEveryField() {
    AuditEvent event =
        AuditEvent.builder()
            .at(Instant.parse("2026-03-01T08:00:00.123456789Z"))
            .actor("bob")
            .role(Role.ANALYST)
            .clientIp("2001:db8::7")
            .action(AuditAction.QUERY)
            .target("glucose_by_month")
            .outcome(AuditOutcome.OK)
            .detail("estimate_bytes", 123_456_789_012L)
            .detail("bytes_scanned", 1024)
            .detail("files_scanned", 3)
            .detail("snapshot_ids", List.of(8_123_456_789_012_345_678L))
            .detail("cached", false)
            .detail("ratio", 0.25)
            .detail("suppressed", Map.of("cells", 2, "threshold", 11))
            .build();

    audit.record(event);

    assertThat(audit.search(AuditQuery.builder().build())).containsExactly(event.withId(1));
  }

  @Test
  void recordsAnonymousEventsWithoutOptionalFields() {
    AuditEvent event =
        at(START, AuditEvent.ANONYMOUS, AuditAction.LOGIN_FAILED, AuditOutcome.REFUSED);

    audit.record(event);

    assertThat(audit.search(AuditQuery.builder().build())).containsExactly(event.withId(1));
  }

  @Test
  void searchesNewestFirst() {
    // recorded out of time order, as requests that finish in a different order than they started
    audit.record(at(START.plusSeconds(10), "bob", AuditAction.QUERY, AuditOutcome.OK));
    audit.record(at(START, "bob", AuditAction.LOGIN, AuditOutcome.OK));
    audit.record(at(START.plusSeconds(20), "bob", AuditAction.EXPORT, AuditOutcome.OK));
    audit.record(at(START.plusSeconds(10), "bob", AuditAction.SQL, AuditOutcome.OK));

    assertThat(audit.search(AuditQuery.builder().build()))
        .extracting(event -> event.id().getAsLong(), AuditEvent::action)
        .containsExactly(
            tuple(3L, AuditAction.EXPORT),
            tuple(4L, AuditAction.SQL),
            tuple(1L, AuditAction.QUERY),
            tuple(2L, AuditAction.LOGIN));
  }

  @ParameterizedTest
  @EnumSource(AuditAction.class)
  void everyActionIsAdmittedByTheTablesCheck(AuditAction action) {
    audit.record(at(START, "ann", action, AuditOutcome.OK));

    assertThat(audit.search(AuditQuery.builder().build()))
        .extracting(AuditEvent::action)
        .containsExactly(action);
  }

  @Test
  void filtersByActorActionOutcomeAndTime() {
    audit.record(at(START, "alice", AuditAction.LOGIN, AuditOutcome.OK));
    audit.record(at(START.plusSeconds(1), "bob", AuditAction.LOGIN, AuditOutcome.OK));
    audit.record(at(START.plusSeconds(2), "bob", AuditAction.QUERY, AuditOutcome.REFUSED));
    audit.record(at(START.plusSeconds(3), "bob", AuditAction.QUERY, AuditOutcome.OK));
    audit.record(at(START.plusSeconds(4), "alice", AuditAction.ADMIN, AuditOutcome.FAILED));
    audit.record(
        at(
            START.plusSeconds(5),
            AuditEvent.ANONYMOUS,
            AuditAction.LOGIN_FAILED,
            AuditOutcome.REFUSED));

    assertThat(ids(AuditQuery.builder().actor("bob"))).containsExactly(4L, 3L, 2L);
    assertThat(ids(AuditQuery.builder().actor("carol"))).isEmpty();
    assertThat(ids(AuditQuery.builder().action(AuditAction.LOGIN))).containsExactly(2L, 1L);
    assertThat(ids(AuditQuery.builder().outcome(AuditOutcome.REFUSED))).containsExactly(6L, 3L);
    assertThat(ids(AuditQuery.builder().from(START.plusSeconds(4)))).containsExactly(6L, 5L);
    assertThat(ids(AuditQuery.builder().to(START.plusSeconds(2)))).containsExactly(2L, 1L);
    assertThat(ids(AuditQuery.builder().from(START.plusSeconds(1)).to(START.plusSeconds(4))))
        .containsExactly(4L, 3L, 2L);
    assertThat(
            ids(
                AuditQuery.builder()
                    .actor("bob")
                    .action(AuditAction.QUERY)
                    .outcome(AuditOutcome.OK)))
        .containsExactly(4L);
    assertThat(ids(AuditQuery.builder().limit(2))).containsExactly(6L, 5L);
  }

  @Test
  void timeBoundsCompareAtMicrosecondPrecision() {
    Instant stored = Instant.parse("2026-03-01T08:00:00.000001Z");
    audit.record(at(stored, "bob", AuditAction.LOGIN, AuditOutcome.OK));

    assertThat(ids(AuditQuery.builder().from(stored))).containsExactly(1L);
    assertThat(ids(AuditQuery.builder().from(stored.plusNanos(1)))).isEmpty();
    assertThat(ids(AuditQuery.builder().to(stored))).isEmpty();
    assertThat(ids(AuditQuery.builder().to(stored.plusNanos(1)))).containsExactly(1L);
  }

  @Test
  void databaseRefusesUpdatesAndDeletes() throws Exception {
    audit.record(at(START, "bob", AuditAction.EXPORT, AuditOutcome.OK));
    List<List<String>> rows = databases.query("SELECT * FROM audit_events");

    assertThatThrownBy(() -> databases.execute("UPDATE audit_events SET actor = 'mallory'"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("audit_events is append-only");
    assertThatThrownBy(() -> databases.execute("DELETE FROM audit_events"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("audit_events is append-only");
    assertThat(databases.query("SELECT * FROM audit_events")).isEqualTo(rows);
  }

  @Test
  void writesOneJsonLinePerEvent() throws Exception {
    AuditEvent event =
        AuditEvent.builder()
            .at(START)
            .actor("bob")
            .role(Role.ANALYST)
            .clientIp("10.0.0.7")
            .action(AuditAction.QUERY)
            .target("glucose_by_month")
            .outcome(AuditOutcome.OK)
            .detail("bytes_scanned", 1024)
            .detail("snapshot_ids", List.of(42))
            .build();

    audit.record(event);
    audit.record(at(START, AuditEvent.ANONYMOUS, AuditAction.LOGIN_FAILED, AuditOutcome.REFUSED));

    assertThat(lines.lines()).hasSize(2).noneMatch(line -> line.contains("\n"));
    ObjectMapper json = new ObjectMapper();
    assertThat(json.readTree(lines.lines().get(0)))
        .isEqualTo(
            json.readTree(
                "{\"id\":1,\"at\":\"2026-03-01T08:00:00.000000Z\",\"actor\":\"bob\",\"role\":\"analyst\",\"client_ip\":\"10.0.0.7\","
                    + "\"action\":\"query\",\"target\":\"glucose_by_month\",\"outcome\":\"ok\","
                    + "\"details\":{\"bytes_scanned\":1024,\"snapshot_ids\":[42]}}"));
    JsonNode anonymous = json.readTree(lines.lines().get(1));
    assertThat(anonymous.get("id").asLong()).isEqualTo(2);
    assertThat(anonymous.get("actor").asText()).isEqualTo("anonymous");
    assertThat(anonymous.get("role").isNull()).isTrue();
    assertThat(anonymous.get("details").isEmpty()).isTrue();
  }

  @Test
  void keepsSqlTextOutOfTheTableAndTheLog() throws Exception {
    String sql =
        "SELECT test_code, count(*) FROM lab_results WHERE patient_key = 'PK-7F3A9C' GROUP BY 1";

    audit.record(
        AuditEvent.builder()
            .at(START)
            .actor("bob")
            .role(Role.ANALYST)
            .action(AuditAction.SQL)
            .outcome(AuditOutcome.OK)
            .sqlFingerprint(sql)
            .detail("bytes_scanned", 4096)
            .build());

    String stored = String.join(" ", databases.query("SELECT details FROM audit_events").get(0));
    assertThat(List.of(stored, lines.lines().get(0)))
        .allSatisfy(
            text ->
                assertThat(text)
                    .contains(
                        "\"sql_sha256\":\""
                            + audit
                                .search(AuditQuery.builder().build())
                                .get(0)
                                .details()
                                .get("sql_sha256")
                            + "\"")
                    .contains("\"sql_length\":" + sql.length())
                    .doesNotContain("PK-7F3A9C")
                    .doesNotContain("lab_results")
                    .doesNotContainIgnoringCase("select"));
  }

  @Test
  void refusesEventsThatAreAlreadyRecorded() {
    audit.record(at(START, "bob", AuditAction.LOGOUT, AuditOutcome.OK));
    AuditEvent recorded = audit.search(AuditQuery.builder().build()).get(0);

    assertThatThrownBy(() -> audit.record(recorded))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("audit event 1 is already recorded");
    assertThat(lines.lines()).hasSize(1);
  }

  @Test
  void concurrentWritersLoseNoEvent() throws Exception {
    int threads = 2;
    int eventsPerThread = 500;
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService executor = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Void>> futures = new ArrayList<>();
      for (int thread = 0; thread < threads; thread++) {
        String actor = "user" + thread;
        Callable<Void> task =
            () -> {
              start.await();
              for (int i = 0; i < eventsPerThread; i++) {
                audit.record(at(START.plusMillis(i), actor, AuditAction.QUERY, AuditOutcome.OK));
              }
              return null;
            };
        futures.add(executor.submit(task));
      }
      for (Future<Void> future : futures) {
        future.get(Duration.ofMinutes(2).toSeconds(), TimeUnit.SECONDS);
      }
    } finally {
      executor.shutdownNow();
    }

    assertThat(
            databases.query(
                "SELECT count(*), count(DISTINCT id), min(id), max(id) FROM audit_events"))
        .containsExactly(List.of("1000", "1000", "1", "1000"));
    assertThat(audit.search(AuditQuery.builder().actor("user0").limit(1000).build())).hasSize(500);
    assertThat(audit.search(AuditQuery.builder().actor("user1").limit(1000).build())).hasSize(500);
    assertThat(lines.lines()).hasSize(1000);
  }

  @Test
  void platformDatabaseProvidesTheAuditLog() {
    AuditLog platformAudit = database.audit();

    platformAudit.record(at(START, "alice", AuditAction.ADMIN, AuditOutcome.OK));

    assertThat(platformAudit.search(AuditQuery.builder().actor("alice").build()))
        .extracting(AuditEvent::action)
        .containsExactly(AuditAction.ADMIN);
  }

  private List<Long> ids(AuditQuery.Builder query) {
    return audit.search(query.build()).stream().map(event -> event.id().getAsLong()).toList();
  }

  private static AuditEvent at(Instant at, String actor, AuditAction action, AuditOutcome outcome) {
    return AuditEvent.builder().at(at).actor(actor).action(action).outcome(outcome).build();
  }
}
