package org.medlake.core.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.util.Optional;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.ValidationException;

/**
 * Settings of the landing-zone watcher ({@code medlake watch}, and the server when enabled).
 *
 * @param enabled whether the server watches the landing zone itself
 * @param settleSeconds a file is read only after its size and modification time stayed the same
 *     this long
 * @param rescanSeconds a full rescan of the landing zone runs this often, in case a file-system
 *     event was lost
 * @param queueUrl an SQS(-compatible) queue of S3 object-created notifications to watch instead of
 *     {@code landing/}
 * @param queueEndpoint the queue service's endpoint (ElasticMQ, another SQS-compatible server);
 *     empty means AWS SQS
 * @param queueRegion the signing region; empty means the AWS default chain
 */
public record WatchConfig(
    boolean enabled,
    int settleSeconds,
    int rescanSeconds,
    Optional<String> queueUrl,
    Optional<String> queueEndpoint,
    Optional<String> queueRegion) {
  public WatchConfig {
    IngestConfig.positive("watch.settle-seconds", settleSeconds);
    IngestConfig.positive("watch.rescan-seconds", rescanSeconds);
    requireNonNull(queueUrl, "queueUrl is null");
    requireNonNull(queueEndpoint, "queueEndpoint is null");
    requireNonNull(queueRegion, "queueRegion is null");
    queueUrl.ifPresent(url -> requireHttp("watch.queue-url", url));
    queueEndpoint.ifPresent(url -> requireHttp("watch.queue-endpoint", url));
  }

  public WatchConfig(boolean enabled, int settleSeconds, int rescanSeconds) {
    this(
        enabled,
        settleSeconds,
        rescanSeconds,
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }

  public static WatchConfig defaults() {
    return new WatchConfig(false, 10, 60);
  }

  public Duration settle() {
    return Duration.ofSeconds(settleSeconds);
  }

  public Duration rescan() {
    return Duration.ofSeconds(rescanSeconds);
  }

  private static void requireHttp(String key, String url) {
    if (!url.startsWith("http://") && !url.startsWith("https://")) {
      throw new ValidationException(
          ErrorCode.INVALID_CONFIG, key + " must be an http:// or https:// URL, not '" + url + "'");
    }
  }

  @JsonCreator
  static WatchConfig fromYaml(
      @JsonProperty("enabled") Boolean enabled,
      @JsonProperty("settle-seconds") Integer settleSeconds,
      @JsonProperty("rescan-seconds") Integer rescanSeconds,
      @JsonProperty("queue-url") String queueUrl,
      @JsonProperty("queue-endpoint") String queueEndpoint,
      @JsonProperty("queue-region") String queueRegion) {
    WatchConfig defaults = defaults();
    return new WatchConfig(
        enabled == null ? defaults.enabled() : enabled,
        settleSeconds == null ? defaults.settleSeconds() : settleSeconds,
        rescanSeconds == null ? defaults.rescanSeconds() : rescanSeconds,
        present(queueUrl),
        present(queueEndpoint),
        present(queueRegion));
  }

  private static Optional<String> present(String value) {
    return Optional.ofNullable(value).filter(text -> !text.isBlank());
  }
}
