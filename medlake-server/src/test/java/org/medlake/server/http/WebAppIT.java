package org.medlake.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;

/**
 * The web front-end (medlake-web) is served from the classpath at "/", under the API's security
 * headers.
 */
class WebAppIT {
  @TempDir Path directory;

  @Test
  void rootServesTheAppAndItsHashedAssets() throws Exception {
    try (MedlakeServer server =
        MedlakeServer.start(MedlakeHome.open(directory.resolve("home")), 0)) {
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> index =
          http.send(
              HttpRequest.newBuilder(uri(server, "/")).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(index.statusCode()).isEqualTo(200);
      assertThat(index.headers().firstValue("Content-Type"))
          .hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
      assertThat(index.body()).contains("<div id=\"medlake-app\"></div>");
      assertThat(index.headers().firstValue("Content-Security-Policy"))
          .hasValueSatisfying(value -> assertThat(value).contains("default-src 'self'"));
      assertThat(index.headers().firstValue("Cache-Control")).hasValue("no-cache");

      Matcher script = Pattern.compile("src=\"(/assets/[^\"]+\\.js)\"").matcher(index.body());
      assertThat(script.find()).as("index.html names its script").isTrue();
      HttpResponse<String> asset =
          http.send(
              HttpRequest.newBuilder(uri(server, script.group(1))).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(asset.statusCode()).isEqualTo(200);
      assertThat(asset.headers().firstValue("Cache-Control"))
          .hasValue("max-age=31536000, immutable");

      HttpResponse<String> missing =
          http.send(
              HttpRequest.newBuilder(uri(server, "/api/v1/nope")).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(missing.statusCode()).isEqualTo(401);
      assertThat(server.routes())
          .allSatisfy(route -> assertThat(route).containsAnyOf(" /api", " /health", " /metrics"));
    }
  }

  private static URI uri(MedlakeServer server, String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }
}
