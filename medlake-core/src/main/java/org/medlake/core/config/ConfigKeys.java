package org.medlake.core.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.medlake.core.security.Role;

/**
 * Every key medlake.yaml may hold, read from the {@code @JsonCreator} methods of the configuration
 * records, so that a key added to a record is at once known to the unknown-key check, the
 * environment overrides and {@code medlake config}. A parameter whose type has its own creator is a
 * section; a {@code Map} parameter is a section with one key per role ({@code
 * query.budgets.viewer}); a {@code List} parameter is a list key; anything else a scalar key.
 */
public final class ConfigKeys {
  /** The prefix of every environment variable that overrides a key. */
  public static final String ENVIRONMENT_PREFIX = "MEDLAKE_";

  /** One key: its dotted path ({@code server.allow-list}) and whether its value is a list. */
  public record Key(String path, boolean list) {
    /**
     * The environment variable that overrides it: {@code server.allow-list} -> {@code
     * MEDLAKE_SERVER_ALLOW_LIST}.
     */
    public String environmentVariable() {
      return ConfigKeys.environmentVariable(path);
    }
  }

  private static final Map<String, Key> KEYS = new LinkedHashMap<>();
  private static final List<String> SECTIONS = new ArrayList<>();

  static {
    collect("", MedlakeConfig.class);
  }

  private ConfigKeys() {}

  /** All keys, in the order of the records (which is the order of medlake.yaml). */
  public static List<Key> all() {
    return List.copyOf(KEYS.values());
  }

  public static Optional<Key> key(String path) {
    return Optional.ofNullable(KEYS.get(path));
  }

  /** Whether {@code path} is a section (an object holding keys), e.g. {@code ingest.hold}. */
  public static boolean section(String path) {
    return SECTIONS.contains(path);
  }

  /** The rule: {@code MEDLAKE_} then the path upper-cased, with dots and dashes as underscores. */
  public static String environmentVariable(String path) {
    return ENVIRONMENT_PREFIX + path.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /**
   * The known key or section closest to {@code path} (edit distance), for a "did you mean" hint.
   */
  public static String closest(String path) {
    List<String> candidates = new ArrayList<>(KEYS.keySet());
    candidates.addAll(SECTIONS);
    return candidates.stream()
        .min(
            Comparator.comparingInt((String candidate) -> distance(candidate, path))
                .thenComparing(candidate -> candidate))
        .orElseThrow();
  }

  /** The environment variable of a key closest to {@code variable}. */
  static String closestVariable(String variable) {
    return KEYS.values().stream()
        .map(Key::environmentVariable)
        .min(
            Comparator.comparingInt((String candidate) -> distance(candidate, variable))
                .thenComparing(candidate -> candidate))
        .orElseThrow();
  }

  /** The top-level sections as environment-variable prefixes ({@code MEDLAKE_SERVER_}). */
  static List<String> sectionPrefixes() {
    return SECTIONS.stream()
        .filter(section -> !section.contains("."))
        .map(section -> environmentVariable(section) + "_")
        .toList();
  }

  private static void collect(String prefix, Class<?> type) {
    Method creator =
        creator(type)
            .orElseThrow(() -> new IllegalStateException(type + " has no @JsonCreator method"));
    for (Parameter parameter : creator.getParameters()) {
      JsonProperty property = parameter.getAnnotation(JsonProperty.class);
      if (property == null) {
        continue;
      }
      String path = prefix.isEmpty() ? property.value() : prefix + "." + property.value();
      Class<?> parameterType = parameter.getType();
      if (creator(parameterType).isPresent()) {
        SECTIONS.add(path);
        collect(path, parameterType);
      } else if (Map.class.isAssignableFrom(parameterType)) {
        SECTIONS.add(path);
        Arrays.stream(Role.values())
            .forEach(
                role -> KEYS.put(path + "." + role.key(), new Key(path + "." + role.key(), false)));
      } else {
        KEYS.put(path, new Key(path, List.class.isAssignableFrom(parameterType)));
      }
    }
  }

  private static Optional<Method> creator(Class<?> type) {
    return Arrays.stream(type.getDeclaredMethods())
        .filter(
            method ->
                Modifier.isStatic(method.getModifiers())
                    && method.isAnnotationPresent(JsonCreator.class))
        .findFirst();
  }

  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
