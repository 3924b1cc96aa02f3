package org.medlake.server.http;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/** The one error body of the API, for every 4xx and 5xx. */
public record ErrorBody(
    @JsonProperty("code") String code,
    @JsonProperty("message") String message,
    @JsonProperty("details") Map<String, Object> details) {
  public ErrorBody {
    requireNonNull(code, "code is null");
    requireNonNull(message, "message is null");
    details = details == null ? Map.of() : Map.copyOf(details);
  }
}
