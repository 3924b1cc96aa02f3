package org.medlake.core.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Optional;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.ValidationException;

/**
 * Settings of the Iceberg catalog.
 *
 * @param name the catalog name; it is stored in the catalog DB, so every engine must use the same
 * @param commitRetries how often a commit is retried after losing against a concurrent writer
 * @param type where the catalog lives: a JDBC database ({@code jdbc}, the default) or the AWS Glue
 *     Data Catalog ({@code glue}), whose database {@code medlake} Athena reads the tables through
 * @param warehouse where table data and metadata live: a local directory or {@code
 *     s3://bucket/prefix}; empty means the home's {@code warehouse/} directory
 * @param jdbcUrl the catalog database, e.g. {@code jdbc:postgresql://db:5432/medlake}; empty means
 *     the home's SQLite {@code catalog.db}. The password comes from {@code
 *     MEDLAKE_CATALOG_PASSWORD}
 * @param jdbcUser the catalog database user, when {@code jdbcUrl} is set
 * @param glueEndpoint the Glue API endpoint, with {@code type: glue}; empty means AWS Glue in the
 *     region of {@code s3.region} (or the AWS default chain's)
 * @param s3 the S3-compatible object store, for an {@code s3://} warehouse or landing zone
 */
public record CatalogConfig(
    String name,
    int commitRetries,
    Type type,
    Optional<String> warehouse,
    Optional<String> jdbcUrl,
    Optional<String> jdbcUser,
    Optional<String> glueEndpoint,
    S3Config s3) {
  /** Where the catalog lives. */
  public enum Type {
    /** Iceberg's JdbcCatalog: the home's SQLite {@code catalog.db}, or {@code jdbc-url}. */
    JDBC,
    /** Iceberg's GlueCatalog: the AWS Glue Data Catalog, over an {@code s3://} warehouse. */
    GLUE;

    static Type parse(String value) {
      for (Type type : values()) {
        if (type.name().equalsIgnoreCase(value.strip())) {
          return type;
        }
      }
      throw new ValidationException(
          ErrorCode.INVALID_CONFIG, "catalog.type must be jdbc or glue, not '" + value + "'");
    }
  }

  /** Environment variable that holds the catalog database password (never in medlake.yaml). */
  public static final String PASSWORD_ENVIRONMENT_VARIABLE = "MEDLAKE_CATALOG_PASSWORD";

  public CatalogConfig {
    requireNonNull(name, "name is null");
    IngestConfig.positive("catalog.commit-retries", commitRetries);
    requireNonNull(warehouse, "warehouse is null");
    requireNonNull(jdbcUrl, "jdbcUrl is null");
    requireNonNull(jdbcUser, "jdbcUser is null");
    requireNonNull(type, "type is null");
    requireNonNull(glueEndpoint, "glueEndpoint is null");
    requireNonNull(s3, "s3 is null");
    warehouse.ifPresent(CatalogConfig::checkWarehouse);
    jdbcUrl.ifPresent(
        url -> {
          if (!url.startsWith("jdbc:postgresql:") && !url.startsWith("jdbc:sqlite:")) {
            throw new ValidationException(
                ErrorCode.INVALID_CONFIG,
                "catalog.jdbc-url must start with jdbc:postgresql: or jdbc:sqlite:, not '"
                    + url
                    + "'");
          }
        });
    if (type == Type.GLUE) {
      if (!warehouse.map(S3Config::isS3).orElse(false)) {
        throw new ValidationException(
            ErrorCode.INVALID_CONFIG,
            "catalog.type glue needs catalog.warehouse in S3 (s3://bucket/prefix), not "
                + warehouse.map(location -> "'" + location + "'").orElse("the home's warehouse/"));
      }
      if (jdbcUrl.isPresent() || jdbcUser.isPresent()) {
        throw new ValidationException(
            ErrorCode.INVALID_CONFIG,
            "catalog.type glue keeps the tables in Glue: remove catalog.jdbc-url and"
                + " catalog.jdbc-user, which only catalog.type jdbc uses");
      }
    } else if (glueEndpoint.isPresent()) {
      throw new ValidationException(
          ErrorCode.INVALID_CONFIG,
          "catalog.glue-endpoint is set but catalog.type is jdbc: set catalog.type: glue or remove"
              + " it");
    }
    glueEndpoint.ifPresent(
        url -> {
          if (!url.startsWith("http://") && !url.startsWith("https://")) {
            throw new ValidationException(
                ErrorCode.INVALID_CONFIG,
                "catalog.glue-endpoint must be an http:// or https:// URL, not '" + url + "'");
          }
        });
  }

  /** The embedded profile: SQLite catalog and a local warehouse in the home. */
  public CatalogConfig(String name, int commitRetries) {
    this(
        name,
        commitRetries,
        Type.JDBC,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        S3Config.defaults());
  }

  public static CatalogConfig defaults() {
    return new CatalogConfig("medlake", 20);
  }

  /** Whether the tables are in the AWS Glue Data Catalog. */
  public boolean glue() {
    return type == Type.GLUE;
  }

  /** Whether the warehouse is in an S3-compatible object store. */
  public boolean s3Warehouse() {
    return warehouse.map(S3Config::isS3).orElse(false);
  }

  private static void checkWarehouse(String location) {
    if (S3Config.isS3(location)) {
      String rest = location.substring(location.indexOf("://") + 3);
      if (rest.isEmpty() || rest.startsWith("/")) {
        throw new ValidationException(
            ErrorCode.INVALID_CONFIG,
            "catalog.warehouse must name a bucket: s3://bucket/prefix, not '" + location + "'");
      }
    } else if (location.contains("://")) {
      throw new ValidationException(
          ErrorCode.INVALID_CONFIG,
          "catalog.warehouse must be a local directory or s3://bucket/prefix, not '"
              + location
              + "'");
    }
  }

  @JsonCreator
  static CatalogConfig fromYaml(
      @JsonProperty("name") String name,
      @JsonProperty("commit-retries") Integer commitRetries,
      @JsonProperty("type") String type,
      @JsonProperty("warehouse") String warehouse,
      @JsonProperty("jdbc-url") String jdbcUrl,
      @JsonProperty("jdbc-user") String jdbcUser,
      @JsonProperty("glue-endpoint") String glueEndpoint,
      @JsonProperty("s3") S3Config s3) {
    CatalogConfig defaults = defaults();
    return new CatalogConfig(
        name == null ? defaults.name() : name,
        commitRetries == null ? defaults.commitRetries() : commitRetries,
        type == null || type.isBlank() ? defaults.type() : Type.parse(type),
        Optional.ofNullable(warehouse).filter(value -> !value.isBlank()),
        Optional.ofNullable(jdbcUrl).filter(value -> !value.isBlank()),
        Optional.ofNullable(jdbcUser).filter(value -> !value.isBlank()),
        Optional.ofNullable(glueEndpoint).filter(value -> !value.isBlank()),
        s3 == null ? S3Config.defaults() : s3);
  }
}
