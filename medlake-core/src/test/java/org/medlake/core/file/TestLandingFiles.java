package org.medlake.core.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.error.ValidationException;

/**
 * Deliveries found in local and object-store landing zones, with the source and month each belongs
 * to.
 */
class TestLandingFiles {
  @TempDir Path landing;

  @Test
  void filesBelowSourceAndMonthDirectoriesAreDeliveriesInPathOrder() throws Exception {
    Path b = write(landing.resolve("h002/2024-03/b.csv"));
    Path a = write(landing.resolve("h001/2024-02/a.csv.gz"));
    write(landing.resolve("h001/2024-02/.a.csv.part"));
    write(landing.resolve("h001/2024-02/a" + LandingFiles.REJECTS_CSV_SUFFIX));
    write(landing.resolve("h001/2024-02/notes.txt"));

    List<LandingFiles.Found> found =
        LandingFiles.discoverFiles(List.of(landing), Optional.empty(), Optional.empty());
    assertThat(found)
        .containsExactly(
            new LandingFiles.Found(a, Optional.empty(), "h001", YearMonth.of(2024, 2)),
            new LandingFiles.Found(b, Optional.empty(), "h002", YearMonth.of(2024, 3)));
    assertThat(
            LandingFiles.discover(
                List.of(b.toString()),
                Optional.of("other"),
                Optional.of(YearMonth.of(2023, 12)),
                prefix -> List.of()))
        .containsExactly(
            new LandingFiles.Found(b, Optional.empty(), "other", YearMonth.of(2023, 12)));
  }

  @Test
  void aMonthInTheFileNameServesWhenTheDirectoryHasNone() throws Exception {
    Path file = write(landing.resolve("drop/labs_2024-07.csv"));
    assertThat(LandingFiles.discoverFiles(List.of(file), Optional.of("h009"), Optional.empty()))
        .extracting(LandingFiles.Found::month)
        .containsExactly(YearMonth.of(2024, 7));
    assertThatThrownBy(
            () -> LandingFiles.discoverFiles(List.of(file), Optional.empty(), Optional.empty()))
        .isInstanceOf(ValidationException.class)
        .hasMessage(
            file + ": cannot tell the source; put it in <source>/<YYYY-MM>/ or pass --source");
  }

  @Test
  void objectsAreListedUnderTheirPrefixAndKeepTheirLocation() {
    List<String> listed =
        List.of(
            "s3://landing/in/h001/2024-05/z.csv",
            "s3://landing/in/h001/2024-05/z.csv.rejects.csv",
            "s3://landing/in/h001/2024-04/y.csv");
    List<LandingFiles.Found> found =
        LandingFiles.discover(
            List.of("s3://landing/in/"),
            Optional.empty(),
            Optional.empty(),
            prefix -> {
              assertThat(prefix).isEqualTo("s3://landing/in/");
              return listed;
            });
    assertThat(found)
        .containsExactly(
            new LandingFiles.Found(
                Path.of("y.csv"),
                Optional.of("s3://landing/in/h001/2024-04/y.csv"),
                "h001",
                YearMonth.of(2024, 4)),
            new LandingFiles.Found(
                Path.of("z.csv"),
                Optional.of("s3://landing/in/h001/2024-05/z.csv"),
                "h001",
                YearMonth.of(2024, 5)));
    assertThatThrownBy(
            () ->
                LandingFiles.discover(
                    List.of("s3://landing/empty/"),
                    Optional.empty(),
                    Optional.empty(),
                    prefix -> List.of()))
        .hasMessage("No .csv or .csv.gz objects under s3://landing/empty/");
  }

  @Test
  void aMissingPathOrAnEmptyDirectoryIsNamed() throws Exception {
    Path missing = landing.resolve("nothing");
    assertThatThrownBy(
            () -> LandingFiles.discoverFiles(List.of(missing), Optional.empty(), Optional.empty()))
        .hasMessage("No such file or directory: " + missing);
    Path empty = Files.createDirectories(landing.resolve("h001/2024-01"));
    assertThatThrownBy(
            () -> LandingFiles.discoverFiles(List.of(empty), Optional.empty(), Optional.empty()))
        .hasMessage("No .csv or .csv.gz files under " + empty);
  }

  private static Path write(Path file) throws Exception {
    Files.createDirectories(file.getParent());
    return Files.writeString(file, "x\n");
  }
}
