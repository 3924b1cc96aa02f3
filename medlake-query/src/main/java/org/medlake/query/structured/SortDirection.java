package org.medlake.query.structured;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import org.medlake.core.error.ValidationException;

public enum SortDirection {
  ASC,
  DESC;

  @JsonValue
  public String jsonName() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static SortDirection fromJsonName(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "asc" -> ASC;
      case "desc" -> DESC;
      default ->
          throw new ValidationException("unknown direction '" + name + "'; expected asc or desc");
    };
  }
}
