package org.medlake.server.http;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.YearMonth;
import java.util.Optional;
import org.medlake.core.config.MedlakeHome;
import org.medlake.platform.store.DashboardContent;
import org.medlake.platform.store.PlatformDatabase;
import org.medlake.platform.store.SavedDashboard;
import org.medlake.query.predefined.PredefinedQueries;

/**
 * The dashboard {@code medlake demo} creates, "Lab overview" (resource demo-dashboard.json), owned
 * by the demo's admin and shared with admins, analysts and viewers. It is checked by the same rules
 * as a dashboard saved through the API.
 */
public final class DemoDashboards {
  public static final String NAME = "Lab overview";
  public static final String OWNER = "admin";
  private static final String RESOURCE = "/org/medlake/server/demo-dashboard.json";

  private DemoDashboards() {}

  /**
   * Saves the demo dashboard unless a dashboard of its name exists (the user's edits of it stay);
   * the saved dashboard, or empty when it existed.
   */
  public static Optional<SavedDashboard> ensure(MedlakeHome home) {
    return save(home, Optional.empty());
  }

  /**
   * As {@link #ensure(MedlakeHome)}, with the dashboard's period filter from {@code from} to {@code
   * to} (the months the demo delivered: its generated files also carry decades-old collection
   * dates, which would stretch every time axis to the 1970s).
   */
  public static Optional<SavedDashboard> ensure(MedlakeHome home, YearMonth from, YearMonth to) {
    return save(home, Optional.of(new Period(from, to)));
  }

  private record Period(YearMonth from, YearMonth to) {
    Period {
      requireNonNull(from, "from is null");
      requireNonNull(to, "to is null");
    }
  }

  private static Optional<SavedDashboard> save(MedlakeHome home, Optional<Period> period) {
    try (PlatformDatabase platform = PlatformDatabase.open(home)) {
      if (platform.dashboards().list().stream()
          .anyMatch(dashboard -> dashboard.content().name().equals(NAME))) {
        return Optional.empty();
      }
      ObjectMapper json = new ObjectMapper();
      JsonNode draft;
      try (InputStream resource = DemoDashboards.class.getResourceAsStream(RESOURCE)) {
        draft = json.readTree(resource);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      period.ifPresent(
          months ->
              ((ObjectNode) draft.get("filters"))
                  .put("from_month", months.from().toString())
                  .put("to_month", months.to().toString()));
      DashboardContent content =
          new DashboardDrafts(json, home.config().query().maxRows())
              .content(draft, PredefinedQueries.load(home.queries()));
      return Optional.of(platform.dashboards().create(OWNER, content));
    }
  }
}
