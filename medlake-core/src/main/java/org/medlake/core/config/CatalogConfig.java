package org.medlake.core.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Settings of the Iceberg catalog.
 *
 * @param name the catalog name; it is stored in the catalog DB, so every engine must use the same
 * @param commitRetries how often a commit is retried after losing against a concurrent writer
 */
public record CatalogConfig(String name, int commitRetries) {
  public CatalogConfig {
    requireNonNull(name, "name is null");
    IngestConfig.positive("catalog.commit-retries", commitRetries);
  }

  public static CatalogConfig defaults() {
    return new CatalogConfig("medlake", 20);
  }

  @JsonCreator
  static CatalogConfig fromYaml(
      @JsonProperty("name") String name, @JsonProperty("commit-retries") Integer commitRetries) {
    CatalogConfig defaults = defaults();
    return new CatalogConfig(
        name == null ? defaults.name() : name,
        commitRetries == null ? defaults.commitRetries() : commitRetries);
  }
}
