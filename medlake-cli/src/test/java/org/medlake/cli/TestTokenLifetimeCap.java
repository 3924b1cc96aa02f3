package org.medlake.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `medlake tokens create --days` is capped by server.max-token-days, as the API is. */
class TestTokenLifetimeCap {
  @TempDir Path directory;

  @Test
  void aTokenLongerThanTheCapIsRefusedNamingTheOption() throws Exception {
    Path home = directory.resolve("home");
    Cli.Result tooLong = Cli.run(home, "tokens", "create", "admin", "--days", "100000");
    assertThat(tooLong.exitCode()).as(tooLong.err()).isEqualTo(2);
    assertThat(tooLong.err()).contains("--days").contains("server.max-token-days").contains("365");
    Cli.Result zero = Cli.run(home, "tokens", "create", "admin", "--days", "0");
    assertThat(zero.exitCode()).as(zero.err()).isEqualTo(2);
  }
}
