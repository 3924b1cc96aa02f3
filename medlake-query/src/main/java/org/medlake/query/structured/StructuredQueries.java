package org.medlake.query.structured;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.util.List;
import java.util.stream.Collectors;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.error.ValidationException;

/** Reads and writes structured queries as JSON. Every mistake is one line naming the property. */
public final class StructuredQueries {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  private StructuredQueries() {}

  public static StructuredQuery parse(String json) {
    try {
      StructuredQuery query = JSON.readValue(json, StructuredQuery.class);
      if (query == null) {
        throw new ValidationException("structured query must be a JSON object, got null");
      }
      return query;
    } catch (UnrecognizedPropertyException e) {
      String parent = parentPath(e);
      throw new ValidationException(
          "unknown property '%s'%s; known properties: %s"
              .formatted(
                  e.getPropertyName(),
                  parent.isEmpty() ? "" : " in " + parent,
                  e.getKnownPropertyIds().stream()
                      .map(Object::toString)
                      .sorted()
                      .collect(Collectors.joining(", "))));
    } catch (JsonMappingException e) {
      if (rootCause(e) instanceof MedlakeException cause) {
        String path = path(e);
        throw new ValidationException(
            path.isEmpty() ? cause.getMessage() : path + ": " + cause.getMessage());
      }
      throw new ValidationException(
          "invalid value at '%s': %s".formatted(path(e), firstLine(e.getOriginalMessage())));
    } catch (JsonProcessingException e) {
      throw new ValidationException(
          "structured query is not valid JSON: " + firstLine(e.getOriginalMessage()));
    }
  }

  public static String toJson(StructuredQuery query) {
    try {
      return JSON.writeValueAsString(query);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write structured query as JSON", e);
    }
  }

  private static Throwable rootCause(Throwable throwable) {
    Throwable current = throwable;
    while (current.getCause() != null && current.getCause() != current) {
      current = current.getCause();
    }
    return current;
  }

  private static String path(JsonMappingException e) {
    return render(e.getPath());
  }

  /** The path to the object holding the unknown property, e.g. {@code filters[0]}. */
  private static String parentPath(JsonMappingException e) {
    return render(e.getPath().subList(0, Math.max(0, e.getPath().size() - 1)));
  }

  private static String render(List<JsonMappingException.Reference> path) {
    StringBuilder result = new StringBuilder();
    for (JsonMappingException.Reference reference : path) {
      if (reference.getFieldName() != null) {
        result.append(result.isEmpty() ? "" : ".").append(reference.getFieldName());
      } else if (reference.getIndex() >= 0) {
        result.append('[').append(reference.getIndex()).append(']');
      }
    }
    return result.toString();
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("");
  }
}
