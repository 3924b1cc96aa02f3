package org.medlake.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.YearMonth;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.platform.store.SavedDashboard;

/** The demo dashboard covers the months the demo delivered, and is saved once. */
class TestDemoDashboards {
  @TempDir Path directory;

  @Test
  void theDemoDashboardCoversTheDeliveredMonthsAndIsSavedOnce() throws Exception {
    MedlakeHome home = MedlakeHome.open(directory.resolve("home"));
    SavedDashboard saved =
        DemoDashboards.ensure(home, YearMonth.of(2024, 1), YearMonth.of(2024, 4)).orElseThrow();

    JsonNode document = new ObjectMapper().readTree(saved.content().document());
    assertThat(document.at("/filters/from_month").asText()).isEqualTo("2024-01");
    assertThat(document.at("/filters/to_month").asText()).isEqualTo("2024-04");
    assertThat(document.at("/tiles")).hasSize(4);
    assertThat(saved.content().name()).isEqualTo(DemoDashboards.NAME);
    assertThat(saved.owner()).isEqualTo(DemoDashboards.OWNER);
    // a second demo keeps the first (and whatever its users changed)
    assertThat(DemoDashboards.ensure(home, YearMonth.of(2024, 1), YearMonth.of(2024, 6))).isEmpty();
  }
}
