package org.medlake.core.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The process environment, read in this one place: the configuration loader takes its {@code
 * MEDLAKE_*} overrides from it, and the code that needs a secret (passwords, the pseudonym key, the
 * webhook secret) gets it from the {@link MedlakeHome}'s environment instead of calling {@code
 * System.getenv}. Tests pass their own.
 */
public final class Environment {
  /**
   * Variables that hold secrets. They are never configuration keys (no secret goes into
   * medlake.yaml), and {@code medlake config} shows only whether they are set.
   */
  public static final List<String> SECRET_VARIABLES =
      List.of(
          "MEDLAKE_PSEUDONYM_KEY",
          "MEDLAKE_CATALOG_PASSWORD",
          "MEDLAKE_PLATFORM_PASSWORD",
          "MEDLAKE_QUERY_JDBC_PASSWORD",
          "MEDLAKE_WEBHOOK_SECRET",
          "MEDLAKE_TLS_KEYSTORE_PASSWORD",
          "MEDLAKE_PASSWORD");

  private static final Environment SYSTEM = new Environment(System.getenv());

  private final Map<String, String> variables;

  private Environment(Map<String, String> variables) {
    this.variables = Map.copyOf(requireNonNull(variables, "variables is null"));
  }

  /** The environment of this process. */
  public static Environment system() {
    return SYSTEM;
  }

  /** A given environment (tests; a child process's). */
  public static Environment of(Map<String, String> variables) {
    return new Environment(variables);
  }

  /** No variables at all. */
  public static Environment empty() {
    return new Environment(Map.of());
  }

  /** The variable's value; empty when it is unset or blank. */
  public Optional<String> get(String name) {
    return Optional.ofNullable(variables.get(name)).filter(value -> !value.isBlank());
  }

  /** The names of all variables, for the loader's check of misspelt {@code MEDLAKE_*} names. */
  java.util.Set<String> names() {
    return variables.keySet();
  }
}
