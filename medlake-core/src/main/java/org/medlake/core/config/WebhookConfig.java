package org.medlake.core.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.ValidationException;

/**
 * Webhooks: a JSON POST to every URL when a run finishes or fails and when a delivery is missing.
 *
 * @param urls http or https URLs
 * @param secretFile a file holding the HMAC-SHA256 signing secret ({@code MEDLAKE_WEBHOOK_SECRET}
 *     overrides it)
 * @param attempts deliveries tried per event and URL, with exponential back-off between them
 * @param initialBackoffMillis the first back-off; it doubles after every failed attempt
 */
public record WebhookConfig(
    List<URI> urls, Optional<Path> secretFile, int attempts, long initialBackoffMillis) {
  public WebhookConfig {
    urls = List.copyOf(urls);
    requireNonNull(secretFile, "secretFile is null");
    for (URI url : urls) {
      String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
        throw new ValidationException(
            ErrorCode.INVALID_CONFIG, "webhooks.urls: '" + url + "' is not an http(s) URL");
      }
    }
    IngestConfig.positive("webhooks.attempts", attempts);
    IngestConfig.positive("webhooks.initial-backoff-millis", initialBackoffMillis);
  }

  public static WebhookConfig defaults() {
    return new WebhookConfig(List.of(), Optional.empty(), 5, 1000);
  }

  @JsonCreator
  static WebhookConfig fromYaml(
      @JsonProperty("urls") List<String> urls,
      @JsonProperty("secret-file") String secretFile,
      @JsonProperty("attempts") Integer attempts,
      @JsonProperty("initial-backoff-millis") Long initialBackoffMillis) {
    WebhookConfig defaults = defaults();
    List<URI> parsed = new java.util.ArrayList<>();
    for (String url : urls == null ? List.<String>of() : urls) {
      try {
        parsed.add(new URI(url));
      } catch (java.net.URISyntaxException e) {
        throw new ValidationException(
            ErrorCode.INVALID_CONFIG,
            "webhooks.urls: '" + url + "' is not a URL: " + e.getReason());
      }
    }
    return new WebhookConfig(
        parsed,
        Optional.ofNullable(secretFile).map(Path::of),
        attempts == null ? defaults.attempts() : attempts,
        initialBackoffMillis == null ? defaults.initialBackoffMillis() : initialBackoffMillis);
  }
}
