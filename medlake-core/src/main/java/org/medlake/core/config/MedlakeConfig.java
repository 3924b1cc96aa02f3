package org.medlake.core.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/** The whole of {@code medlake.yaml}. Every section is optional; missing keys take defaults. */
public record MedlakeConfig(
    CatalogConfig catalog,
    IngestConfig ingest,
    QueryConfig query,
    ServerConfig server,
    PlatformConfig platform,
    WatchConfig watch,
    ScheduleConfig schedules,
    WebhookConfig webhooks,
    MaintenanceConfig maintenance,
    FlightConfig flight) {
  public MedlakeConfig {
    requireNonNull(catalog, "catalog is null");
    requireNonNull(ingest, "ingest is null");
    requireNonNull(query, "query is null");
    requireNonNull(server, "server is null");
    requireNonNull(platform, "platform is null");
    requireNonNull(watch, "watch is null");
    requireNonNull(schedules, "schedules is null");
    requireNonNull(webhooks, "webhooks is null");
    requireNonNull(maintenance, "maintenance is null");
    requireNonNull(flight, "flight is null");
  }

  public MedlakeConfig(
      CatalogConfig catalog,
      IngestConfig ingest,
      QueryConfig query,
      ServerConfig server,
      PlatformConfig platform,
      WatchConfig watch,
      ScheduleConfig schedules,
      WebhookConfig webhooks,
      MaintenanceConfig maintenance) {
    this(
        catalog,
        ingest,
        query,
        server,
        platform,
        watch,
        schedules,
        webhooks,
        maintenance,
        FlightConfig.defaults());
  }

  public MedlakeConfig(
      CatalogConfig catalog, IngestConfig ingest, QueryConfig query, ServerConfig server) {
    this(
        catalog,
        ingest,
        query,
        server,
        PlatformConfig.defaults(),
        WatchConfig.defaults(),
        ScheduleConfig.defaults(),
        WebhookConfig.defaults(),
        MaintenanceConfig.defaults());
  }

  public static MedlakeConfig defaults() {
    return new MedlakeConfig(
        CatalogConfig.defaults(),
        IngestConfig.defaults(),
        QueryConfig.defaults(),
        ServerConfig.defaults());
  }

  /** As this, with the passwords the environment holds (they never come from medlake.yaml). */
  MedlakeConfig withSecrets(Environment environment) {
    return new MedlakeConfig(
        catalog,
        ingest,
        query.withEngine(query.engine().withPassword(environment)),
        server,
        platform.withPassword(environment),
        watch,
        schedules,
        webhooks,
        maintenance,
        flight);
  }

  @JsonCreator
  static MedlakeConfig fromYaml(
      @JsonProperty("catalog") CatalogConfig catalog,
      @JsonProperty("ingest") IngestConfig ingest,
      @JsonProperty("query") QueryConfig query,
      @JsonProperty("server") ServerConfig server,
      @JsonProperty("platform") PlatformConfig platform,
      @JsonProperty("watch") WatchConfig watch,
      @JsonProperty("schedules") ScheduleConfig schedules,
      @JsonProperty("webhooks") WebhookConfig webhooks,
      @JsonProperty("maintenance") MaintenanceConfig maintenance,
      @JsonProperty("flight") FlightConfig flight) {
    return new MedlakeConfig(
        catalog == null ? CatalogConfig.defaults() : catalog,
        ingest == null ? IngestConfig.defaults() : ingest,
        query == null ? QueryConfig.defaults() : query,
        server == null ? ServerConfig.defaults() : server,
        platform == null ? PlatformConfig.defaults() : platform,
        watch == null ? WatchConfig.defaults() : watch,
        schedules == null ? ScheduleConfig.defaults() : schedules,
        webhooks == null ? WebhookConfig.defaults() : webhooks,
        maintenance == null ? MaintenanceConfig.defaults() : maintenance,
        flight == null ? FlightConfig.defaults() : flight);
  }
}
