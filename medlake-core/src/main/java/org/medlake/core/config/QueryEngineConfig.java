package org.medlake.core.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.ValidationException;

/**
 * Which engine executes validated queries: the embedded DuckDB, or a JDBC endpoint (Trino, Athena,
 * Spark Thrift Server) that reads the same Iceberg tables, for tables too big for one node.
 * Planning, estimates, budgets, cache and suppression stay in medlake either way.
 *
 * @param kind {@code embedded} or {@code jdbc}
 * @param jdbcUrl the endpoint, with the catalog and schema of the medlake tables as its defaults,
 *     e.g. {@code jdbc:trino://trino:8080/iceberg/medlake}; the password comes from {@code
 *     MEDLAKE_QUERY_JDBC_PASSWORD}
 * @param jdbcUser the user the endpoint runs queries as (give it read-only access)
 * @param password the endpoint's password, from {@code MEDLAKE_QUERY_JDBC_PASSWORD} (the loader
 *     sets it)
 */
public record QueryEngineConfig(
    Kind kind, Optional<String> jdbcUrl, Optional<String> jdbcUser, Optional<Secret> password) {
  /** Environment variable that holds the JDBC endpoint's password (never in medlake.yaml). */
  public static final String PASSWORD_ENVIRONMENT_VARIABLE = "MEDLAKE_QUERY_JDBC_PASSWORD";

  /** The engines a deployment can choose. */
  public enum Kind {
    EMBEDDED,
    JDBC
  }

  public QueryEngineConfig {
    requireNonNull(kind, "kind is null");
    requireNonNull(jdbcUrl, "jdbcUrl is null");
    requireNonNull(jdbcUser, "jdbcUser is null");
    requireNonNull(password, "password is null");
    if (kind == Kind.JDBC && jdbcUrl.isEmpty()) {
      throw new ValidationException(
          ErrorCode.INVALID_CONFIG, "query.engine is jdbc but query.jdbc.url is not set");
    }
    jdbcUrl.ifPresent(
        url -> {
          if (!url.startsWith("jdbc:")) {
            throw new ValidationException(
                ErrorCode.INVALID_CONFIG,
                "query.jdbc.url must start with jdbc:, not '" + url + "'");
          }
        });
  }

  public QueryEngineConfig(Kind kind, Optional<String> jdbcUrl, Optional<String> jdbcUser) {
    this(kind, jdbcUrl, jdbcUser, Optional.empty());
  }

  /** As this, with the password the environment holds (or none). */
  QueryEngineConfig withPassword(Environment environment) {
    return new QueryEngineConfig(
        kind, jdbcUrl, jdbcUser, environment.get(PASSWORD_ENVIRONMENT_VARIABLE).map(Secret::of));
  }

  public static QueryEngineConfig defaults() {
    return new QueryEngineConfig(Kind.EMBEDDED, Optional.empty(), Optional.empty());
  }

  /** JDBC connection properties: the user, and the password from the environment. */
  public Properties connectionProperties() {
    Properties properties = new Properties();
    jdbcUser.ifPresent(user -> properties.setProperty("user", user));
    password.ifPresent(secret -> properties.setProperty("password", secret.reveal()));
    return properties;
  }

  static QueryEngineConfig of(String engine, Jdbc jdbc) {
    Kind kind = Kind.EMBEDDED;
    if (engine != null) {
      try {
        kind = Kind.valueOf(engine.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new ValidationException(
            ErrorCode.INVALID_CONFIG,
            "query.engine must be one of embedded, jdbc, not '" + engine + "'");
      }
    }
    return new QueryEngineConfig(
        kind,
        jdbc == null ? Optional.empty() : jdbc.url,
        jdbc == null ? Optional.empty() : jdbc.user);
  }

  /** The {@code query.jdbc} section as written in medlake.yaml. */
  record Jdbc(Optional<String> url, Optional<String> user) {
    @JsonCreator
    static Jdbc fromYaml(@JsonProperty("url") String url, @JsonProperty("user") String user) {
      return new Jdbc(
          Optional.ofNullable(url).filter(value -> !value.isBlank()),
          Optional.ofNullable(user).filter(value -> !value.isBlank()));
    }
  }
}
