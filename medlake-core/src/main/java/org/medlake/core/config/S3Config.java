package org.medlake.core.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Optional;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.ValidationException;

/**
 * An S3-compatible object store. Credentials are never configured here: they come from the AWS
 * default chain (environment {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}, profile,
 * instance or pod role).
 *
 * @param endpoint the S3 API endpoint, e.g. {@code http://minio:9000}; empty means AWS S3
 * @param pathStyleAccess {@code http://host/bucket/key} instead of {@code http://bucket.host/key}
 *     (MinIO needs it)
 * @param region the signing region; empty means the AWS default chain
 * @param retries how often a failed request is retried by the S3 client (0.5 s doubling to 5 s
 *     apart)
 * @param connectTimeoutSeconds how long a connection to the endpoint may take before the store
 *     counts as unreachable
 */
public record S3Config(
    Optional<String> endpoint,
    boolean pathStyleAccess,
    Optional<String> region,
    int retries,
    int connectTimeoutSeconds) {
  public static final int DEFAULT_RETRIES = 3;
  public static final int DEFAULT_CONNECT_TIMEOUT_SECONDS = 5;

  public S3Config {
    requireNonNull(endpoint, "endpoint is null");
    requireNonNull(region, "region is null");
    if (retries < 0) {
      throw new ValidationException(
          ErrorCode.INVALID_CONFIG, "catalog.s3.retries must be 0 or more, not " + retries);
    }
    IngestConfig.positive("catalog.s3.connect-timeout-seconds", connectTimeoutSeconds);
    endpoint.ifPresent(
        url -> {
          if (!url.startsWith("http://") && !url.startsWith("https://")) {
            throw new ValidationException(
                ErrorCode.INVALID_CONFIG,
                "catalog.s3.endpoint must be an http:// or https:// URL, not '" + url + "'");
          }
        });
  }

  public S3Config(Optional<String> endpoint, boolean pathStyleAccess, Optional<String> region) {
    this(endpoint, pathStyleAccess, region, DEFAULT_RETRIES, DEFAULT_CONNECT_TIMEOUT_SECONDS);
  }

  public static S3Config defaults() {
    return new S3Config(Optional.empty(), false, Optional.empty());
  }

  /** Whether a location is in an object store ({@code s3://}, {@code s3a://}). */
  public static boolean isS3(String location) {
    return location.startsWith("s3://") || location.startsWith("s3a://");
  }

  @JsonCreator
  static S3Config fromYaml(
      @JsonProperty("endpoint") String endpoint,
      @JsonProperty("path-style-access") Boolean pathStyleAccess,
      @JsonProperty("region") String region,
      @JsonProperty("retries") Integer retries,
      @JsonProperty("connect-timeout-seconds") Integer connectTimeoutSeconds) {
    return new S3Config(
        Optional.ofNullable(endpoint).filter(value -> !value.isBlank()),
        pathStyleAccess != null && pathStyleAccess,
        Optional.ofNullable(region).filter(value -> !value.isBlank()),
        retries == null ? DEFAULT_RETRIES : retries,
        connectTimeoutSeconds == null ? DEFAULT_CONNECT_TIMEOUT_SECONDS : connectTimeoutSeconds);
  }
}
