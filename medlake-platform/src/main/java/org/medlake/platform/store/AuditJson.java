package org.medlake.platform.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.medlake.core.security.Role;

/** The JSON forms of an event: its details column, and the log line with every field. */
final class AuditJson {
  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(DeserializationFeature.USE_LONG_FOR_INTS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private AuditJson() {}

  /**
   * The details as JSON, written straight from the checked values ({@link AuditDetails}: longs,
   * doubles, booleans, strings, and maps and lists of those): the same text as Jackson's data
   * binding, without its serializer lookups per value.
   */
  static String details(Map<String, Object> details) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator json = MAPPER.createGenerator(out)) {
      writeValue(json, details);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static void writeValue(JsonGenerator json, Object value) throws IOException {
    if (value instanceof Map<?, ?> map) {
      json.writeStartObject();
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        json.writeFieldName((String) entry.getKey());
        writeValue(json, entry.getValue());
      }
      json.writeEndObject();
    } else if (value instanceof List<?> list) {
      json.writeStartArray();
      for (Object element : list) {
        writeValue(json, element);
      }
      json.writeEndArray();
    } else if (value instanceof Long number) {
      json.writeNumber(number);
    } else if (value instanceof Double number) {
      json.writeNumber(number);
    } else if (value instanceof Boolean bool) {
      json.writeBoolean(bool);
    } else if (value instanceof String text) {
      json.writeString(text);
    } else {
      // AuditDetails.copy admits nothing else; anything it may admit later still gets Jackson's
      // form
      MAPPER.writeValue(json, value);
    }
  }

  static Map<String, Object> parseDetails(String json) {
    try {
      return AuditDetails.copy(MAPPER.readValue(json, MAP));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "stored audit details are not a JSON object: " + e.getOriginalMessage(), e);
    }
  }

  /** One line (JSON escapes line breaks inside strings); absent fields are written as null. */
  static String line(AuditEvent event) {
    return line(event.id(), event, JdbcAuditLog.format(event.at()), details(event.details()));
  }

  /**
   * {@link #line(AuditEvent)} of the event recorded as {@code id}, with its time and details
   * already written by {@link JdbcAuditLog#format} and {@link #details}.
   */
  static String line(long id, AuditEvent event, String at, String detailsJson) {
    return line(OptionalLong.of(id), event, at, detailsJson);
  }

  private static String line(OptionalLong id, AuditEvent event, String at, String detailsJson) {
    StringWriter out = new StringWriter(256 + detailsJson.length());
    try (JsonGenerator line = MAPPER.createGenerator(out)) {
      line.writeStartObject();
      if (id.isPresent()) {
        line.writeNumberField("id", id.getAsLong());
      } else {
        line.writeNullField("id");
      }
      line.writeStringField("at", at);
      line.writeStringField("actor", event.actor());
      line.writeStringField("role", event.role().map(Role::key).orElse(null));
      line.writeStringField("client_ip", event.clientIp().orElse(null));
      line.writeStringField("action", event.action().key());
      line.writeStringField("target", event.target().orElse(null));
      line.writeStringField("outcome", event.outcome().key());
      line.writeFieldName("details");
      line.writeRawValue(detailsJson);
      line.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
