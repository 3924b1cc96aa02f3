package org.medlake.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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
  public static java.util.Optional<SavedDashboard> ensure(MedlakeHome home) {
    try (PlatformDatabase platform = PlatformDatabase.open(home)) {
      if (platform.dashboards().list().stream()
          .anyMatch(dashboard -> dashboard.content().name().equals(NAME))) {
        return java.util.Optional.empty();
      }
      ObjectMapper json = new ObjectMapper();
      JsonNode draft;
      try (InputStream resource = DemoDashboards.class.getResourceAsStream(RESOURCE)) {
        draft = json.readTree(resource);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      DashboardContent content =
          new DashboardDrafts(json, home.config().query().maxRows())
              .content(draft, PredefinedQueries.load(home.queries()));
      return java.util.Optional.of(platform.dashboards().create(OWNER, content));
    }
  }
}
