package org.medlake.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.config.QueryConfig;
import org.medlake.core.error.ValidationException;
import org.medlake.core.security.Role;
import org.medlake.lake.Lakehouse;
import org.medlake.query.cache.InProcessResultCache;
import org.medlake.query.engine.AsOf;
import org.medlake.query.engine.QueryResult;
import org.medlake.query.predefined.PredefinedQueries;

/**
 * Dates of predefined queries are bounded by what the table can hold, not by a guess at real dates.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestPredefinedQueryDates {
  private Lakehouse lakehouse;
  private QueryService service;
  private PredefinedQueries queries;

  @BeforeAll
  void lake(@TempDir Path directory) throws Exception {
    MedlakeHome home = MedlakeHome.open(directory.resolve("home"));
    lakehouse = Lakehouse.open(home);
    LakeFixture.append(home, lakehouse, "H001", YearMonth.of(2024, 1), 30, 5);
    // a de-identified data set: dates shifted into the 22nd century
    LakeFixture.append(home, lakehouse, "H009", YearMonth.of(2150, 3), 40, 5);
    // before the Gregorian reform (java.util's calendars switch to Julian there)
    LakeFixture.append(home, lakehouse, "H015", YearMonth.of(1500, 3), 54, 5);
    service = new QueryService(lakehouse, QueryConfig.defaults(), new InProcessResultCache(100));
    queries = PredefinedQueries.load(home.queries());
  }

  @AfterAll
  void close() {
    lakehouse.close();
  }

  @Test
  void everyStoredMonthIsAnsweredByDefault() {
    assertThat(volume(Map.of()))
        .containsExactly(
            List.of("H001", "2024-01", 30L, 5L),
            List.of("H009", "2150-03", 40L, 5L),
            List.of("H015", "1500-03", 54L, 5L));
  }

  @Test
  void shiftedAndOldDatesBoundTheQueryAndPruneFiles() {
    QueryResult shifted = run("monthly-volume", Map.of("from", "2150-03-01", "to", "2150-04-01"));
    assertThat(shifted.table().rows()).containsExactly(List.of("H009", "2150-03", 40L, 5L));
    assertThat(shifted.filesScanned()).isEqualTo(1);
    // fixture rows fall on days 1 + (i % 27): from the 2nd on, every row but those of day 1
    long fromTheSecond = IntStream.range(0, 54).filter(i -> i % 27 != 0).count();
    assertThat(volume(Map.of("from", "1500-03-02", "to", "1500-04-01")))
        .containsExactly(List.of("H015", "1500-03", fromTheSecond, 5L));
    assertThat(volume(Map.of("from", "0001-01-01", "to", "9999-12-31"))).hasSize(3);
  }

  @Test
  void datesMustBeIsoDaysOfTheYears1To9999InOrder() {
    var query = queries.find("monthly-volume");
    for (String bad :
        List.of("+10000-01-01", "0000-12-31", "-0001-01-01", "2024-1-5", "2024-02-30")) {
      assertThatThrownBy(() -> PredefinedQueries.bind(query, Map.of("from", bad), AsOf.CURRENT))
          .isInstanceOf(ValidationException.class)
          .hasMessage(
              "parameter 'from' must be a date YYYY-MM-DD (years 0001 to 9999), not '" + bad + "'");
    }
    assertThatThrownBy(
            () ->
                PredefinedQueries.bind(
                    query, Map.of("from", "2150-06-01", "to", "2150-01-01"), AsOf.CURRENT))
        .isInstanceOf(ValidationException.class)
        .hasMessage("parameter 'from' (2150-06-01) must not be after 'to' (2150-01-01)");
    assertThat(volume(Map.of("from", "2150-03-01", "to", "2150-03-01"))).isEmpty();
  }

  private List<List<Object>> volume(Map<String, String> arguments) {
    return run("monthly-volume", arguments).table().rows();
  }

  private QueryResult run(String name, Map<String, String> arguments) {
    return service.run(
        PredefinedQueries.bind(queries.find(name), arguments, AsOf.CURRENT),
        Role.ANALYST,
        "test",
        UnaryOperator.identity());
  }
}
