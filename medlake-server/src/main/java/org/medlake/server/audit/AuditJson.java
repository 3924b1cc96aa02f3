package org.medlake.server.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.medlake.core.security.Role;

/** The JSON forms of an event: its details column, and the log line with every field. */
final class AuditJson {
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(DeserializationFeature.USE_LONG_FOR_INTS)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private AuditJson() {}

  static String details(Map<String, Object> details) {
    return write(MAPPER.valueToTree(details));
  }

  static Map<String, Object> parseDetails(String json) {
    try {
      return AuditDetails.copy(MAPPER.readValue(json, MAP));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored audit details are not a JSON object: " + e.getOriginalMessage(), e);
    }
  }

  /** One line (JSON escapes line breaks inside strings); absent fields are written as null. */
  static String line(AuditEvent event) {
    ObjectNode line = MAPPER.createObjectNode();
    if (event.id().isPresent()) {
      line.put("id", event.id().getAsLong());
    } else {
      line.putNull("id");
    }
    line.put("at", SqliteAuditLog.format(event.at()));
    line.put("actor", event.actor());
    line.put("role", event.role().map(Role::key).orElse(null));
    line.put("client_ip", event.clientIp().orElse(null));
    line.put("action", event.action().key());
    line.put("target", event.target().orElse(null));
    line.put("outcome", event.outcome().key());
    line.set("details", MAPPER.valueToTree(event.details()));
    return write(line);
  }

  private static String write(Object tree) {
    try {
      return MAPPER.writeValueAsString(tree);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write audit event as JSON: " + e.getOriginalMessage(), e);
    }
  }
}
