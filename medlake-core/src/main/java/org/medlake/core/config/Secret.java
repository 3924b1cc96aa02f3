package org.medlake.core.config;

import static java.util.Objects.requireNonNull;

/** A password or key taken from the environment; it never shows in a message or a log line. */
public final class Secret {
  private final String value;

  private Secret(String value) {
    this.value = requireNonNull(value, "value is null");
  }

  public static Secret of(String value) {
    return new Secret(value);
  }

  public String reveal() {
    return value;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Secret secret && secret.value.equals(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  @Override
  public String toString() {
    return "******";
  }
}
