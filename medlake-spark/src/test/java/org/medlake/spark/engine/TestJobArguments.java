package org.medlake.spark.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.YearMonth;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TestJobArguments {
  @Test
  void everyOptionAndThePathsInTheirOrder() {
    JobArguments arguments =
        JobArguments.parse(
            new String[] {
              "--home",
              "/srv/medlake",
              "s3://landing/a/",
              "--source",
              "h001",
              "--month",
              "2024-11",
              "--master",
              "local[2]",
              "b.csv"
            });
    assertThat(arguments)
        .isEqualTo(
            new JobArguments(
                Path.of("/srv/medlake"),
                Optional.of("h001"),
                Optional.of(YearMonth.of(2024, 11)),
                Optional.of("local[2]"),
                List.of("s3://landing/a/", "b.csv")));
  }

  @Test
  void optionalOptionsMayBeLeftOut() {
    JobArguments arguments = JobArguments.parse(new String[] {"--home", "home", "landing"});
    assertThat(arguments.source()).isEmpty();
    assertThat(arguments.month()).isEmpty();
    assertThat(arguments.master()).isEmpty();
  }

  @Test
  void mistakesAreOneLineNamingTheOption() {
    assertThatThrownBy(() -> JobArguments.parse(new String[] {"landing"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--home is required");
    assertThatThrownBy(() -> JobArguments.parse(new String[] {"--home", "home"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no file or directory to ingest");
    assertThatThrownBy(
            () ->
                JobArguments.parse(
                    new String[] {"--home", "home", "--month", "11/2024", "landing"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--month: '11/2024' is not YYYY-MM");
    assertThatThrownBy(
            () -> JobArguments.parse(new String[] {"--home", "home", "--verbose", "landing"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown option --verbose");
    assertThatThrownBy(() -> JobArguments.parse(new String[] {"landing", "--home"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--home needs a value");
  }
}
