package org.medlake.query.structured;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** Finds the name a user probably meant: a close typo first, then a name the input starts. */
final class ColumnSuggestions {
  private static final int MAX_TYPO_DISTANCE = 2;

  private ColumnSuggestions() {}

  static Optional<String> closest(String input, Collection<String> candidates) {
    String wanted = input.toLowerCase(Locale.ROOT);
    String best = null;
    int bestDistance = MAX_TYPO_DISTANCE + 1;
    for (String candidate : candidates) {
      int distance = distance(wanted, candidate.toLowerCase(Locale.ROOT));
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    if (best != null) {
      return Optional.of(best);
    }
    if (wanted.length() < 2) {
      return Optional.empty();
    }
    return candidates.stream()
        .filter(candidate -> candidate.toLowerCase(Locale.ROOT).startsWith(wanted))
        .findFirst();
  }

  /** " (did you mean x?)" or nothing. */
  static String hint(String input, Collection<String> candidates) {
    return closest(input, candidates).map(name -> " (did you mean " + name + "?)").orElse("");
  }

  /** Levenshtein distance. */
  static int distance(String left, String right) {
    int[] previous = new int[right.length() + 1];
    int[] current = new int[right.length() + 1];
    for (int j = 0; j <= right.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= left.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= right.length(); j++) {
        int substitution = previous[j - 1] + (left.charAt(i - 1) == right.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[right.length()];
  }
}
