package org.medlake.platform.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.error.NotFoundException;
import org.medlake.core.error.ValidationException;
import org.medlake.core.security.Role;
import org.medlake.platform.store.Concurrently.Outcome;
import org.medlake.testkit.MutableClock;

@ParameterizedClass(name = "{0}")
@ValueSource(strings = {PlatformDatabases.SQLITE, PlatformDatabases.POSTGRESQL})
class DashboardStoreIT {
  @Parameter String kind;

  private static final Instant START = Instant.parse("2026-03-01T08:00:00.123456789Z");
  private static final DashboardContent FIRST =
      new DashboardContent(
          "Lab overview", DashboardVisibility.PRIVATE, Set.of(), "{\"tiles\":[{\"id\":\"a\"}]}");
  private static final DashboardContent SECOND =
      new DashboardContent(
          "Lab overview 2",
          DashboardVisibility.ROLES,
          Set.of(Role.VIEWER, Role.ANALYST),
          "{\"tiles\":[{\"id\":\"b\"}]}");

  @TempDir Path directory;

  private PlatformDatabases databases;
  private PlatformDatabase database;
  private DashboardStore dashboards;
  private MutableClock clock;

  @BeforeEach
  void open() {
    databases = PlatformDatabases.create(kind, directory);
    clock = new MutableClock(START);
    database = databases.open(clock);
    dashboards = database.dashboards();
  }

  @AfterEach
  void close() {
    database.close();
  }

  @Test
  void createsVersionOneOwnedByTheCreator() {
    SavedDashboard saved = dashboards.create("ann", FIRST);

    assertThat(saved)
        .isEqualTo(
            new SavedDashboard(
                saved.id(),
                "ann",
                1,
                FIRST,
                Instant.parse("2026-03-01T08:00:00.123456Z"),
                "ann",
                OptionalInt.empty()));
    assertThat(dashboards.find(saved.id())).contains(saved);
    assertThat(dashboards.find(saved.id(), 1)).contains(saved);
    assertThat(dashboards.find(saved.id() + 1)).isEmpty();
    assertThat(dashboards.create("bob", SECOND).id()).isNotEqualTo(saved.id());
  }

  @Test
  void updatesKeepEveryVersion() {
    SavedDashboard first = dashboards.create("ann", FIRST);
    clock.advance(Duration.ofMinutes(5));

    SavedDashboard second = dashboards.update(first.id(), 1, "root", SECOND);

    assertThat(second.version()).isEqualTo(2);
    assertThat(second.owner()).isEqualTo("ann");
    assertThat(second.savedBy()).isEqualTo("root");
    assertThat(second.content()).isEqualTo(SECOND);
    assertThat(second.savedAt()).isEqualTo(Instant.parse("2026-03-01T08:05:00.123456Z"));
    assertThat(dashboards.find(first.id())).contains(second);
    assertThat(dashboards.find(first.id(), 1)).contains(first);
    assertThat(dashboards.versions(first.id())).containsExactly(second, first);
    assertThat(dashboards.list()).containsExactly(second);
  }

  @Test
  void aStaleBaseVersionConflicts() {
    SavedDashboard first = dashboards.create("ann", FIRST);
    dashboards.update(first.id(), 1, "ann", SECOND);

    assertThatThrownBy(() -> dashboards.update(first.id(), 1, "bob", FIRST))
        .isInstanceOf(MedlakeException.class)
        .hasMessage(
            "dashboard "
                + first.id()
                + " is at version 2, not 1: someone saved it meanwhile; reload it and apply your"
                + " change again")
        .extracting(e -> ((MedlakeException) e).errorCode())
        .isEqualTo(ErrorCode.VERSION_CONFLICT);
    assertThat(dashboards.versions(first.id()))
        .extracting(SavedDashboard::version)
        .containsExactly(2, 1);
  }

  @RepeatedTest(3)
  void concurrentSavesFromTheSameVersionLetOneWin() throws Exception {
    SavedDashboard first = dashboards.create("ann", FIRST);

    List<Outcome<SavedDashboard>> outcomes =
        Concurrently.run(4, () -> dashboards.update(first.id(), 1, "ann", SECOND));

    assertThat(outcomes).filteredOn(Outcome::succeeded).hasSize(1);
    assertThat(outcomes)
        .filteredOn(outcome -> !outcome.succeeded())
        .hasSize(3)
        .allSatisfy(
            outcome ->
                assertThat(((MedlakeException) outcome.failure()).errorCode())
                    .isEqualTo(ErrorCode.VERSION_CONFLICT));
    assertThat(dashboards.versions(first.id()))
        .extracting(SavedDashboard::version)
        .containsExactly(2, 1);
  }

  @Test
  void restoreSavesAnOldVersionAgainAsTheNewest() {
    SavedDashboard first = dashboards.create("ann", FIRST);
    dashboards.update(first.id(), 1, "ann", SECOND);

    SavedDashboard restored = dashboards.restore(first.id(), 1, "root");

    assertThat(restored.version()).isEqualTo(3);
    assertThat(restored.content()).isEqualTo(FIRST);
    assertThat(restored.savedBy()).isEqualTo("root");
    assertThat(restored.restoredFrom()).hasValue(1);
    assertThat(dashboards.find(first.id())).contains(restored);
    assertThat(dashboards.versions(first.id()))
        .extracting(SavedDashboard::version, SavedDashboard::restoredFrom)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(3, OptionalInt.of(1)),
            org.assertj.core.groups.Tuple.tuple(2, OptionalInt.empty()),
            org.assertj.core.groups.Tuple.tuple(1, OptionalInt.empty()));
    assertThatThrownBy(() -> dashboards.restore(first.id(), 9, "root"))
        .isInstanceOf(NotFoundException.class)
        .hasMessage("dashboard " + first.id() + " has no version 9");
    assertThat(dashboards.find(first.id()).orElseThrow().version()).isEqualTo(3);
  }

  @Test
  void deleteRemovesTheDashboardWithItsHistory() throws Exception {
    SavedDashboard first = dashboards.create("ann", FIRST);
    dashboards.update(first.id(), 1, "ann", SECOND);
    SavedDashboard other = dashboards.create("bob", SECOND);

    dashboards.delete(first.id());

    assertThat(dashboards.find(first.id())).isEmpty();
    assertThat(dashboards.find(first.id(), 1)).isEmpty();
    assertThat(dashboards.list()).containsExactly(other);
    assertThat(databases.query("SELECT dashboard_id FROM dashboard_versions"))
        .containsExactly(List.of(String.valueOf(other.id())));
    assertThatThrownBy(() -> dashboards.delete(first.id()))
        .isInstanceOf(NotFoundException.class)
        .hasMessage("dashboard " + first.id() + " does not exist");
    assertThatThrownBy(() -> dashboards.versions(first.id())).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> dashboards.update(first.id(), 2, "ann", FIRST))
        .isInstanceOf(NotFoundException.class)
        .hasMessage("dashboard " + first.id() + " does not exist");
    assertThatThrownBy(() -> dashboards.restore(first.id(), 1, "ann"))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void listsCurrentVersionsByName() {
    SavedDashboard zeta =
        dashboards.create(
            "ann", new DashboardContent("Zeta", DashboardVisibility.PRIVATE, Set.of(), "{}"));
    SavedDashboard alpha =
        dashboards.create(
            "bob", new DashboardContent("Alpha", DashboardVisibility.PRIVATE, Set.of(), "{}"));

    assertThat(dashboards.list()).containsExactly(alpha, zeta);
  }

  @Test
  void visibilityFollowsOwnerAdminAndSharedRoles() {
    SavedDashboard mine = dashboards.create("ann", FIRST);
    SavedDashboard shared = dashboards.create("ann", SECOND);
    User ann = user("ann", Role.ANALYST);
    User bob = user("bob", Role.ANALYST);
    User vera = user("vera", Role.VIEWER);
    User root = user("root", Role.ADMIN);

    assertThat(mine.visibleTo(ann)).isTrue();
    assertThat(mine.visibleTo(root)).isTrue();
    assertThat(mine.visibleTo(bob)).isFalse();
    assertThat(mine.visibleTo(vera)).isFalse();
    assertThat(shared.visibleTo(bob)).isTrue();
    assertThat(shared.visibleTo(vera)).isTrue();
    assertThat(shared.editableBy(bob)).isFalse();
    assertThat(shared.editableBy(vera)).isFalse();
    assertThat(shared.editableBy(ann)).isTrue();
    assertThat(shared.editableBy(root)).isTrue();
  }

  @Test
  void contentIsChecked() {
    assertThatThrownBy(() -> new DashboardContent(" ", DashboardVisibility.PRIVATE, Set.of(), "{}"))
        .isInstanceOf(ValidationException.class)
        .hasMessage("name must not be blank");
    assertThatThrownBy(
            () ->
                new DashboardContent("x".repeat(121), DashboardVisibility.PRIVATE, Set.of(), "{}"))
        .hasMessage("name has 121 characters (at most 120)");
    assertThatThrownBy(() -> new DashboardContent("x", DashboardVisibility.ROLES, Set.of(), "{}"))
        .hasMessage("sharing.roles must name a role when sharing.visibility is roles");
    assertThatThrownBy(
            () -> new DashboardContent("x", DashboardVisibility.PRIVATE, Set.of(Role.VIEWER), "{}"))
        .hasMessage("sharing.roles must be empty when sharing.visibility is private");
    assertThatThrownBy(
            () -> new DashboardContent("x", DashboardVisibility.ROLES, Set.of(Role.UPLOADER), "{}"))
        .hasMessage("sharing.roles cannot hold uploader: uploaders do not run queries");
  }

  @Test
  void theDatabaseRefusesADocumentThatIsNotAJsonObject() {
    assertThatThrownBy(
            () ->
                dashboards.create(
                    "ann",
                    new DashboardContent("x", DashboardVisibility.PRIVATE, Set.of(), "[1, 2]")))
        .isInstanceOf(MedlakeException.class)
        .extracting(e -> ((MedlakeException) e).errorCode())
        .isEqualTo(ErrorCode.STORAGE_ERROR);
    assertThat(dashboards.list()).isEmpty();
  }

  @Test
  void survivesReopening() {
    SavedDashboard saved = dashboards.create("ann", SECOND);
    database.close();
    database = databases.open(clock);

    assertThat(database.dashboards().find(saved.id())).contains(saved);
  }

  private static User user(String name, Role role) {
    return new User(name, role, Optional.empty(), true, START);
  }
}
