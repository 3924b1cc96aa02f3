package org.medlake.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code medlake demo} ends with the URL and the admin password below a banner, and nothing follows
 * them on the terminal: the server's logs (audit lines per login) go to a file. Its lake of past
 * data does not report today's last month as a missing delivery.
 */
class DemoOutputIT {
  @TempDir Path directory;

  @Test
  void theUrlAndPasswordComeLastAndTheDemoExpectsItsOwnNewestMonth() throws Exception {
    Path home = directory.resolve("home");
    String classpath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    ProcessBuilder builder =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            classpath,
            Main.class.getName(),
            "--home",
            home.toString(),
            "demo",
            "--hospitals",
            "2",
            "--months",
            "2",
            "--rows-per-file",
            "200",
            "--backfill-months",
            "0",
            "--port",
            "0");
    Process process = builder.start();
    CompletableFuture<String> err =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    try {
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      List<String> lines = new ArrayList<>();
      int banners = 0;
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        lines.add(line);
        if (line.equals(DemoCommand.BANNER) && ++banners == 2) {
          break; // the server runs on: nothing more is printed
        }
      }
      assertThat(banners).as(String.join("\n", lines)).isEqualTo(2);
      List<String> last = lines.subList(lines.size() - 5, lines.size());
      assertThat(last.get(0)).isEqualTo(DemoCommand.BANNER);
      assertThat(last.get(1)).contains("Ctrl-C").contains("Logs: ");
      assertThat(last.get(2)).contains("http://127.0.0.1:");
      assertThat(last.get(3)).contains("admin login").contains("password '");
      assertThat(last.get(4)).isEqualTo(DemoCommand.BANNER);

      Matcher url = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)").matcher(last.get(2));
      assertThat(url.find()).isTrue();
      Matcher password = Pattern.compile("password '([^']+)'").matcher(last.get(3));
      assertThat(password.find()).isTrue();
      String base = "http://127.0.0.1:" + url.group(1);
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> login =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/api/v1/login"))
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"name\": \"admin\", \"password\": \"" + password.group(1) + "\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
      String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
      HttpResponse<String> missing =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/api/v1/deliveries/missing"))
                  .header("Cookie", cookie)
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(missing.statusCode()).as(missing.body()).isEqualTo(200);
      // the demo's newest month (2024-02 for two months) is delivered by every hospital
      JsonNode body = new ObjectMapper().readTree(missing.body());
      assertThat(body).as(missing.body()).isEmpty();
      assertThat(Files.readString(home.resolve("medlake.yaml")))
          .contains("completeness-month: 2024-02");
      // the demo dashboard was saved, shared with the admin's role
      HttpResponse<String> dashboards =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/api/v1/dashboards"))
                  .header("Cookie", cookie)
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(new ObjectMapper().readTree(dashboards.body()).findValuesAsText("name"))
          .as(dashboards.body())
          .containsExactly("Lab overview");
      // the login's audit line went to the log file, not under the password
      Path log = home.resolve("logs").resolve("demo.log");
      assertThat(Files.readString(log)).contains("login");
    } finally {
      process.destroy();
      process.waitFor(1, TimeUnit.MINUTES);
    }
    assertThat(err.get()).doesNotContain("login").doesNotContain("Javalin");
  }
}
