package org.medlake.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.lake.DuckDb;

/** The Spark job's strptime gives DuckDB's {@code try_strptime} answer for every input, valid or not. */
class TestStrptimeAgainstDuckDb {
  private static final List<String> FORMATS = List.of(
      "%Y-%m-%d %H:%M:%S", "%d.%m.%Y %H:%M", "%Y-%m-%dT%H:%M:%S", "%d/%m/%y %H:%M", "%d-%b-%y %H:%M", "%Y-%m-%d %H:%M:%S.%f",
      "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d");
  private static final List<String> INPUTS = List.of(
      "2024-03-04 08:15:00", " 2024-03-04 08:15:00 ", "2024-03-04  08:15:00", "2024-03-04\t08:15:00", "2024-3-4 8:5:0",
      "2024-03-0408:15:00", "2024-03-04 08:15:00x", "02024-03-04 08:15:00", "24-03-04 08:15:00", "2024-02-30 08:15:00",
      "2024-02-29 08:15:00", "1900-02-29 08:15:00", "2024-03-04 24:00:00", "2024-03-04 08:60:00", "2024-03-04 08:15:60",
      "2024-00-04 08:15:00", "2024-13-04 08:15:00", "2024-03-00 08:15:00", "2024- 03-04 08:15:00", "+2024-03-04 08:15:00",
      "04.03.2024 08:15", "4.3.2024 8:15", "04.03.2024 08:15:00", "04.03.24 08:15", "2024-03-04T08:15:00", "2024-03-04T08:15:00Z",
      "2024-03-04T08:15:00z", "04/03/24 8:15", "04/03/69 08:15", "04/03/68 08:15", "04-Mar-24 08:15", "04-MAR-24 08:15",
      "04-mar-24 08:15", "04-March-24 08:15", "04-Foo-24 08:15", "2024-03-04 08:15:00.1", "2024-03-04 08:15:00.123456",
      "2024-03-04 08:15:00.1234567", "2024-03-04 08:15:00.", "2024-03-04", " 2024-3-4 ", "2024-03-04 ", "", " ", "yesterday",
      "٢٠٢٤-03-04 08:15:00", "9999-12-31 23:59:59", "0001-01-01 00:00:00");

  @TempDir
  Path temporary;

  @Test
  void everyFormatAndInputAsDuckDb() throws SQLException {
    int compared = 0;
    try (Connection connection = DuckDb.open("256MB", 1, temporary);
        PreparedStatement statement = connection.prepareStatement("SELECT try_strptime(?, ?)")) {
      for (String format : FORMATS) {
        Strptime strptime = new Strptime(List.of(format));
        for (String input : INPUTS) {
          statement.setString(1, input);
          statement.setString(2, format);
          try (ResultSet result = statement.executeQuery()) {
            result.next();
            java.sql.Timestamp expected = result.getTimestamp(1);
            LocalDateTime actual = strptime.parse(input).orElse(null);
            assertThat(actual).as("'%s' with '%s'", input, format).isEqualTo(expected == null ? null : expected.toLocalDateTime());
            compared++;
          }
        }
      }
    }
    assertThat(compared).isEqualTo(FORMATS.size() * INPUTS.size());
  }

  @Test
  void formatsAreTriedInOrder() {
    Strptime strptime = new Strptime(List.of("%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M:%S"));
    assertThat(strptime.parse("2024-03-04 08:15:00")).contains(LocalDateTime.of(2024, 3, 4, 8, 15));
    assertThat(strptime.parse("04.03.2024 08:15")).contains(LocalDateTime.of(2024, 3, 4, 8, 15));
    assertThat(strptime.parse(null)).isEmpty();
  }

  @Test
  void anUnsupportedSpecifierIsRefusedByName() {
    assertThatThrownBy(() -> new Strptime(List.of("%Y-%m-%d %I:%M %p")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timestamp format '%Y-%m-%d %I:%M %p': specifier %I is not supported by the Spark job (supported: %Y %y %m %d %b %H %M %S %f)");
  }
}
