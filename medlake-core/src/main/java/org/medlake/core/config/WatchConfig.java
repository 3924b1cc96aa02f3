package org.medlake.core.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;

/**
 * Settings of the landing-zone watcher ({@code medlake watch}, and the server when enabled).
 *
 * @param enabled whether the server watches the landing zone itself
 * @param settleSeconds a file is read only after its size and modification time stayed the same this long
 * @param rescanSeconds a full rescan of the landing zone runs this often, in case a file-system event was lost
 */
public record WatchConfig(boolean enabled, int settleSeconds, int rescanSeconds) {
  public WatchConfig {
    IngestConfig.positive("watch.settle-seconds", settleSeconds);
    IngestConfig.positive("watch.rescan-seconds", rescanSeconds);
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

  @JsonCreator
  static WatchConfig fromYaml(
      @JsonProperty("enabled") Boolean enabled,
      @JsonProperty("settle-seconds") Integer settleSeconds,
      @JsonProperty("rescan-seconds") Integer rescanSeconds) {
    WatchConfig defaults = defaults();
    return new WatchConfig(
        enabled == null ? defaults.enabled() : enabled,
        settleSeconds == null ? defaults.settleSeconds() : settleSeconds,
        rescanSeconds == null ? defaults.rescanSeconds() : rescanSeconds);
  }
}
