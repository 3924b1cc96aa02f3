package org.medlake.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import java.util.HashMap;
import java.util.Map;
import org.medlake.query.engine.AsOf;

/**
 * How the API reads a request: its JSON body, required fields, query parameters and the as-of
 * point.
 */
final class RequestBodies {
  /** Reads trees only: the server's mapper configuration is for writing answers. */
  private static final ObjectMapper JSON = new ObjectMapper();

  private RequestBodies() {}

  static JsonNode body(Context context) throws Exception {
    return body(bodyBytes(context));
  }

  static JsonNode body(byte[] bytes) throws Exception {
    try {
      JsonNode body = JSON.readTree(bytes);
      if (body == null || !body.isObject()) {
        throw ApiErrors.badRequest("The request body must be a JSON object");
      }
      return body;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw ApiErrors.badRequest(
          "The request body is not valid JSON: " + ErrorMapper.oneLine(e.getOriginalMessage()));
    }
  }

  /**
   * The request body, read once: at its Content-Length straight into one array (Javalin's own read
   * copies through two 8 KB buffers), which the size limit has bounded by now.
   */
  static byte[] bodyBytes(Context context) throws java.io.IOException {
    long length = context.req().getContentLengthLong();
    if (length < 0 || length > Integer.MAX_VALUE) {
      return context.bodyAsBytes();
    }
    return context.req().getInputStream().readNBytes((int) length);
  }

  static boolean isBlank(byte[] bytes) {
    for (byte b : bytes) {
      if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
        return false;
      }
    }
    return true;
  }

  static String text(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || !value.isTextual() || value.asText().isEmpty()) {
      throw ApiErrors.badRequest("'" + field + "' is required");
    }
    return value.asText();
  }

  static AsOf asOf(JsonNode body) {
    JsonNode asOf = body.get("as_of");
    return asOf == null || asOf.isNull() ? AsOf.CURRENT : AsOf.parse(asOf.asText());
  }

  static Map<String, String> parameters(JsonNode body) {
    Map<String, String> parameters = new HashMap<>();
    body.path("parameters")
        .properties()
        .forEach(
            entry ->
                parameters.put(
                    entry.getKey(),
                    entry.getValue().isArray()
                        ? join(entry.getValue())
                        : entry.getValue().asText()));
    return parameters;
  }

  private static String join(JsonNode array) {
    StringBuilder text = new StringBuilder();
    array.forEach(value -> text.append(text.length() == 0 ? "" : ",").append(value.asText()));
    return text.toString();
  }
}
