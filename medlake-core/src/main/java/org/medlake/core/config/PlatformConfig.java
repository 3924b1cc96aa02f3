package org.medlake.core.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Optional;
import java.util.Properties;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.ValidationException;

/**
 * The platform database: ingestion runs, users, API tokens, audit log and the link vault. Empty
 * means the SQLite files in the home ({@code platform.db}, {@code vault.db}); a PostgreSQL URL puts
 * all of them in that database, shared by every machine of a deployment.
 *
 * @param jdbcUrl e.g. {@code jdbc:postgresql://db:5432/medlake}; the password comes from {@code
 *     MEDLAKE_PLATFORM_PASSWORD}
 * @param jdbcUser the database user
 * @param password the password, from {@code MEDLAKE_PLATFORM_PASSWORD} (the loader sets it; never
 *     from medlake.yaml)
 */
public record PlatformConfig(
    Optional<String> jdbcUrl, Optional<String> jdbcUser, Optional<Secret> password) {
  /** Environment variable that holds the platform database password (never in medlake.yaml). */
  public static final String PASSWORD_ENVIRONMENT_VARIABLE = "MEDLAKE_PLATFORM_PASSWORD";

  public PlatformConfig {
    requireNonNull(jdbcUrl, "jdbcUrl is null");
    requireNonNull(jdbcUser, "jdbcUser is null");
    requireNonNull(password, "password is null");
    jdbcUrl.ifPresent(
        url -> {
          if (!url.startsWith("jdbc:postgresql:")) {
            throw new ValidationException(
                ErrorCode.INVALID_CONFIG,
                "platform.jdbc-url must start with jdbc:postgresql:, not '" + url + "'");
          }
        });
  }

  public PlatformConfig(Optional<String> jdbcUrl, Optional<String> jdbcUser) {
    this(jdbcUrl, jdbcUser, Optional.empty());
  }

  /** As this, with the password the environment holds (or none). */
  PlatformConfig withPassword(Environment environment) {
    return new PlatformConfig(
        jdbcUrl, jdbcUser, environment.get(PASSWORD_ENVIRONMENT_VARIABLE).map(Secret::of));
  }

  public static PlatformConfig defaults() {
    return new PlatformConfig(Optional.empty(), Optional.empty());
  }

  /** Whether the platform tables live in PostgreSQL rather than in the home's SQLite files. */
  public boolean postgres() {
    return jdbcUrl.isPresent();
  }

  /** JDBC connection properties: the user, and the password from the environment. */
  public Properties connectionProperties() {
    Properties properties = new Properties();
    jdbcUser.ifPresent(user -> properties.setProperty("user", user));
    password.ifPresent(secret -> properties.setProperty("password", secret.reveal()));
    return properties;
  }

  /**
   * A JDBC URL for messages: without its parameters, where a password could have been put against
   * the documentation's advice.
   */
  public static String shown(String jdbcUrl) {
    int parameters = jdbcUrl.indexOf('?');
    return parameters < 0 ? jdbcUrl : jdbcUrl.substring(0, parameters);
  }

  @JsonCreator
  static PlatformConfig fromYaml(
      @JsonProperty("jdbc-url") String jdbcUrl, @JsonProperty("jdbc-user") String jdbcUser) {
    return new PlatformConfig(
        Optional.ofNullable(jdbcUrl).filter(value -> !value.isBlank()),
        Optional.ofNullable(jdbcUser).filter(value -> !value.isBlank()));
  }
}
