package org.medlake.lake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.error.MedlakeException;

/**
 * A catalog without an entry for a table whose metadata lies in the warehouse (here: a lost {@code
 * catalog.db}) is refused, instead of getting an empty table over the stored one that would hide
 * its rows and let orphan-file maintenance delete its files.
 */
class TestTableWithoutCatalogEntry {
  @TempDir Path directory;

  @Test
  void aLostCatalogIsRefusedAndTheStoredFilesStay() throws Exception {
    MedlakeHome home = MedlakeHome.open(directory.resolve("home"));
    try (Lakehouse lakehouse = Lakehouse.open(home)) {
      LabResultFiles.append(home, lakehouse, "H001", YearMonth.of(2024, 1), 200, 20);
    }
    List<Path> before = files(home.warehouse());
    for (String file : List.of("catalog.db", "catalog.db-wal", "catalog.db-shm")) {
      Files.deleteIfExists(home.root().resolve(file));
    }

    assertThatThrownBy(() -> Lakehouse.open(home))
        .isInstanceOf(MedlakeException.class)
        .hasMessageStartingWith(
            "Table lab_results is not in the catalog, but "
                + home.warehouse().toUri().toString().replaceAll("/+$", "")
                + "/medlake/lab_results holds one (newest metadata ")
        .hasMessageContaining("register that metadata file in the catalog")
        .hasMessageNotContaining("\n");
    assertThat(files(home.warehouse())).isEqualTo(before);
  }

  private static List<Path> files(Path root) throws Exception {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile).sorted().toList();
    }
  }
}
