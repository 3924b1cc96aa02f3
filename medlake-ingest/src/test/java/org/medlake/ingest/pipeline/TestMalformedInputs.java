package org.medlake.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.medlake.ingest.pipeline.IngestFixture.HEADER;
import static org.medlake.ingest.pipeline.IngestFixture.MAX_DECOMPRESSED_BYTES;
import static org.medlake.ingest.pipeline.IngestFixture.MAX_LINE_BYTES;
import static org.medlake.ingest.pipeline.IngestFixture.csv;
import static org.medlake.ingest.pipeline.IngestFixture.gzip;
import static org.medlake.ingest.pipeline.IngestFixture.row;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.error.UnreadableFileException;
import org.medlake.core.ledger.IngestRun;
import org.medlake.ingest.pipeline.IngestFixture.Reject;

/**
 * A corpus of malformed and unusual deliveries. Each either fails with a one-line error that names
 * the file and the problem, or succeeds with every data record read and either accepted or rejected
 * with the right reason and line number.
 */
class TestMalformedInputs {
  @TempDir static Path directory;
  private static IngestFixture fixture;

  @BeforeAll
  static void createHome() throws IOException {
    fixture = IngestFixture.create(directory);
  }

  @AfterAll
  static void closeHome() {
    fixture.close();
  }

  // --- files that cannot be read at all

  @Test
  void emptyFile() throws IOException {
    Path file = fixture.write("empty.csv", new byte[0]);
    assertUnreadable(file, "empty file");
  }

  @Test
  void emptyGzip() throws IOException {
    Path file = fixture.write("empty.csv.gz", gzip(new byte[0]));
    assertUnreadable(file, "empty file");
  }

  @Test
  void blankFirstLine() throws IOException {
    Path file = fixture.write("blank-first-line.csv", "\n" + csv(row(1)));
    assertUnreadable(file, "line 1: empty header line");
  }

  @Test
  void wrongDelimiter() throws IOException {
    Path file = fixture.write("semicolon.csv", csv(row(1)).replace(',', ';'));
    assertUnreadable(
        file,
        "line 1: wrong delimiter: source 'h001' expects ',' but the header is separated by ';'");
  }

  @Test
  void requiredColumnMissing() throws IOException {
    Path file = fixture.write("no-loinc.csv", csv(row(1)).replace("loinc,", "code,"));
    assertUnreadable(
        file,
        "line 1: required column(s) missing: loinc (source 'h001'; the header has 12 column(s)");
  }

  @Test
  void mappedColumnTwiceInHeader() throws IOException {
    Path file = fixture.write("duplicate-column.csv", HEADER + ",result\n" + row(1) + ",96\n");
    assertUnreadable(file, "line 1: column 'result' occurs 2 times in the header");
  }

  @Test
  void unmappedColumnTwiceInHeader() throws IOException {
    fixture.ingestExpecting(
        fixture.write("duplicate-unmapped.csv", HEADER + ",comment,comment\n" + row(1) + ",a,b\n"),
        1,
        1);
  }

  @Test
  void unterminatedQuoteInHeader() throws IOException {
    Path file =
        fixture.write("header-quote.csv", csv(row(1)).replace("patient_id", "\"patient_id"));
    assertUnreadable(file, "line 1: malformed quoting in the header");
  }

  @Test
  void utf16WithoutByteOrderMark() throws IOException {
    Path file = fixture.write("utf16le.csv", csv(row(1)).getBytes(StandardCharsets.UTF_16LE));
    assertUnreadable(
        file,
        "NUL bytes: not a text CSV in the declared encoding (UTF-16 without byte-order mark, or binary?)");
  }

  @Test
  void nulByteInTheMiddle() throws IOException {
    Path file =
        fixture.write(
            "nul.csv",
            csv(
                row(1),
                "P2,E2,2345-7,Glu\0cose,95.5,mg/dL,70,99,N,2024-01-15 08:30:00,F,1970",
                row(3)));
    assertUnreadable(file, "contains 1 NUL bytes");
  }

  @Test
  void pngImage() throws IOException {
    byte[] png = {
      (byte) 0x89,
      'P',
      'N',
      'G',
      '\r',
      '\n',
      0x1A,
      '\n',
      0,
      0,
      0,
      0x0D,
      'I',
      'H',
      'D',
      'R',
      0,
      0,
      0,
      1
    };
    Path file = fixture.write("image.csv", png);
    assertUnreadable(file, "NUL bytes");
  }

  @Test
  void randomBinaryWithoutNulBytes() throws IOException {
    byte[] bytes = new byte[64 * 1024];
    new Random(42).nextBytes(bytes);
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = bytes[i] == 0 ? 1 : bytes[i];
    }
    Path file = fixture.write("random.csv", bytes);
    assertUnreadable(
        file,
        "line 1: the header is not valid UTF-8 (set csv.encoding in the source mapping to the file's encoding; or not a CSV file?)");
  }

  @Test
  void truncatedGzip() throws IOException {
    byte[] complete =
        gzip(
            csv(IntStream.rangeClosed(1, 200).mapToObj(IngestFixture::row).toArray(String[]::new))
                .getBytes(StandardCharsets.UTF_8));
    Path file = fixture.write("truncated.csv.gz", Arrays.copyOf(complete, complete.length / 2));
    assertUnreadable(file, "truncated gzip file (unexpected end of compressed data)");
  }

  @Test
  void corruptGzip() throws IOException {
    byte[] bytes = gzip(csv(row(1), row(2)).getBytes(StandardCharsets.UTF_8));
    bytes[bytes.length - 6] ^= 0x55; // the CRC of the trailer
    Path file = fixture.write("corrupt.csv.gz", bytes);
    assertUnreadable(file, "corrupt gzip file: ");
  }

  @Test
  void gzipBomb() throws IOException {
    byte[] inflated = new byte[(int) MAX_DECOMPRESSED_BYTES * 3];
    Arrays.fill(inflated, (byte) 'a');
    byte[] bomb = gzip(inflated);
    assertThat(bomb.length).isLessThan(10_000);
    Path file = fixture.write("bomb.csv.gz", bomb);
    assertUnreadable(
        file,
        "decompresses to more than "
            + MAX_DECOMPRESSED_BYTES
            + " bytes (ingest.max-decompressed-bytes; gzip bomb?)");
  }

  @Test
  void gzipInsideGzip() throws IOException {
    Path file =
        fixture.write("nested.csv.gz", gzip(gzip(csv(row(1)).getBytes(StandardCharsets.UTF_8))));
    assertUnreadable(file, "gzip inside gzip is not accepted");
  }

  // --- files that are read: every record is accepted or rejected

  @Test
  void headerOnly() throws IOException {
    fixture.ingestExpecting(fixture.write("header-only.csv", HEADER + "\n"), 0, 0);
  }

  @Test
  void headerOnlyWithoutLineBreak() throws IOException {
    fixture.ingestExpecting(fixture.write("header-only-no-newline.csv", HEADER), 0, 0);
  }

  @Test
  void lastLineWithoutLineBreak() throws IOException {
    fixture.ingestExpecting(
        fixture.write("no-final-newline.csv", HEADER + "\n" + row(1) + "\n" + row(2)), 2, 2);
  }

  @Test
  void utf8ByteOrderMark() throws IOException {
    fixture.ingestExpecting(fixture.write("bom.csv", "\uFEFF" + csv(row(1), row(2))), 2, 2);
  }

  @Test
  void utf8ByteOrderMarkInLatin1Source() throws IOException {
    Path file =
        fixture.write(
            "bom-latin1.csv",
            "\uFEFF"
                + csv(
                    row(1), "P2,E2,2345-7,Glükose,95.5,mg/dL,70,99,N,2024-01-15 08:30:00,F,1970"));
    IngestRun run = fixture.ingestExpecting(file, IngestFixture.LATIN1_SOURCE, 2, 2);
    assertThat(fixture.acceptedTestNames(run)).containsExactly("Glucose", "Glükose");
  }

  @Test
  void crlfLineEndings() throws IOException {
    Path file =
        fixture.write(
            "crlf.csv",
            csv(
                    row(1),
                    row(2),
                    "P3,E3,2345-7,Glucose,95.5,mg/dL,70,99,X,2024-01-15 08:30:00,F,1970")
                .replace("\n", "\r\n"));
    IngestRun run = fixture.ingestExpecting(file, 3, 2);
    assertThat(fixture.rejects(run))
        .containsExactly(
            new Reject(
                4,
                List.of("INVALID_FLAG"),
                "P3,E3,2345-7,Glucose,95.5,mg/dL,70,99,X,2024-01-15 08:30:00,F,1970"));
  }

  @Test
  void loneCarriageReturnLineEndings() throws IOException {
    Path file =
        fixture.write(
            "cr.csv",
            csv(
                    row(1),
                    row(2),
                    "P3,E3,2345-7,Glucose,95.5,mg/dL,70,99,X,2024-01-15 08:30:00,F,1970")
                .replace("\n", "\r"));
    IngestRun run = fixture.ingestExpecting(file, 3, 2);
    assertThat(fixture.rejects(run)).extracting(Reject::lineNumber).containsExactly(4L);
  }

  @Test
  void mixedLineEndings() throws IOException {
    String content =
        HEADER
            + "\r\n"
            + row(1)
            + "\n"
            + row(2)
            + "\r"
            + row(3)
            + "\r\n"
            + invalidFlag(4)
            + "\n"
            + row(5)
            + "\r";
    IngestRun run = fixture.ingestExpecting(fixture.write("mixed.csv", content), 5, 4);
    assertThat(fixture.rejects(run))
        .containsExactly(new Reject(5, List.of("INVALID_FLAG"), invalidFlag(4)));
  }

  @Test
  void quotedNewlineInsideField() throws IOException {
    String multiline =
        "P2,E2,2345-7,\"Glucose\nfasting\",95.5,mg/dL,70,99,N,2024-01-15 08:30:00,F,1970";
    String rejectedMultiline =
        "P3,E3,2345-7,\"Glucose\nrandom\nnot fasting\",95.5,mg/dL,70,99,X,2024-01-15 08:30:00,F,1970";
    Path file =
        fixture.write(
            "quoted-newline.csv", csv(row(1), multiline, rejectedMultiline, invalidFlag(4)));
    IngestRun run = fixture.ingestExpecting(file, 4, 2);
    assertThat(fixture.acceptedTestNames(run)).containsExactly("Glucose", "Glucose\nfasting");
    assertThat(fixture.rejects(run))
        .containsExactly(
            new Reject(5, List.of("INVALID_FLAG"), rejectedMultiline),
            new Reject(8, List.of("INVALID_FLAG"), invalidFlag(4)));
  }

  @Test
  void blankLineInsideQuotedField() throws IOException {
    String multiline =
        "P2,E2,2345-7,\"Glucose\n\nfasting\",95.5,mg/dL,70,99,N,2024-01-15 08:30:00,F,1970";
    IngestRun run =
        fixture.ingestExpecting(
            fixture.write("quoted-blank-line.csv", csv(row(1), multiline, invalidFlag(3))), 3, 2);
    assertThat(fixture.acceptedTestNames(run)).containsExactly("Glucose", "Glucose\n\nfasting");
    assertThat(fixture.rejects(run)).extracting(Reject::lineNumber).containsExactly(6L);
  }

  @Test
  void quotedNewlineInsideFieldWithCrlf() throws IOException {
    String multiline =
        "P2,E2,2345-7,\"Glucose\nfasting\",95.5,mg/dL,70,99,N,2024-01-15 08:30:00,F,1970";
    Path file =
        fixture.write(
            "quoted-newline-crlf.csv",
            csv(row(1), multiline, invalidFlag(3)).replace("\n", "\r\n"));
    IngestRun run = fixture.ingestExpecting(file, 3, 2);
    assertThat(fixture.rejects(run)).extracting(Reject::lineNumber).containsExactly(5L);
  }

  @Test
  void quotedFieldSpanningMoreLinesThanAllowed() throws IOException {
    String notes =
        IntStream.rangeClosed(1, 23).mapToObj(i -> "note " + i).collect(Collectors.joining("\n"));
    String tooLong =
        "P2,E2,2345-7,\"Glucose\n"
            + notes
            + "\nend\",95.5,mg/dL,70,99,N,2024-01-15 08:30:00,F,1970";
    IngestRun run =
        fixture.ingestExpecting(
            fixture.write("long-span.csv", csv(row(1), tooLong, row(3))), 27, 2);
    assertThat(run.rejectedByReason()).isEqualTo(Map.of("BAD_QUOTING", 2L, "RAGGED_ROW", 23L));
    List<Reject> rejects = fixture.rejects(run);
    assertThat(rejects.get(0))
        .isEqualTo(new Reject(3, List.of("BAD_QUOTING"), "P2,E2,2345-7,\"Glucose"));
    assertThat(rejects.get(24).lineNumber()).isEqualTo(27);
  }

  @Test
  void unterminatedQuoteInTheMiddle() throws IOException {
    String unterminated = "P2,E2,2345-7,\"Glucose,95.5,mg/dL,70,99,N,2024-01-15 08:30:00,F,1970";
    Path file =
        fixture.write("unterminated.csv", csv(row(1), unterminated, row(3), row(4), row(5)));
    IngestRun run = fixture.ingestExpecting(file, 5, 4);
    assertThat(fixture.rejects(run))
        .containsExactly(new Reject(3, List.of("BAD_QUOTING"), unterminated));
  }

  @Test
  void twoUnterminatedQuotes() throws IOException {
    String first = "P2,E2,2345-7,\"Glucose,95.5,mg/dL,70,99,N,2024-01-15 08:30:00,F,1970";
    String second = "P5,E5,2345-7,Glucose,95.5,mg/dL,70,99,N,\"2024-01-15 08:30:00,F,1970";
    Path file =
        fixture.write("two-unterminated.csv", csv(row(1), first, row(3), row(4), second, row(6)));
    IngestRun run = fixture.ingestExpecting(file, 6, 4);
    assertThat(fixture.rejects(run))
        .extracting(Reject::lineNumber, Reject::reasonCodes)
        .containsExactly(tuple(3L, List.of("BAD_QUOTING")), tuple(6L, List.of("BAD_QUOTING")));
  }

  @Test
  void unterminatedQuoteOnTheLastLine() throws IOException {
    String unterminated = "P3,E3,2345-7,Glucose,95.5,mg/dL,70,99,N,2024-01-15 08:30:00,F,\"1970";
    IngestRun run =
        fixture.ingestExpecting(
            fixture.write("unterminated-last.csv", csv(row(1), row(2), unterminated)), 3, 2);
    assertThat(fixture.rejects(run))
        .containsExactly(new Reject(4, List.of("BAD_QUOTING"), unterminated));
  }

  @Test
  void garbageAfterClosingQuote() throws IOException {
    String garbage = "P2,E2,2345-7,\"Glucose\"x,95.5,mg/dL,70,99,N,2024-01-15 08:30:00,F,1970";
    IngestRun run =
        fixture.ingestExpecting(
            fixture.write("quote-garbage.csv", csv(row(1), garbage, row(3))), 3, 2);
    assertThat(fixture.rejects(run))
        .containsExactly(new Reject(3, List.of("BAD_QUOTING"), garbage));
  }

  @Test
  void quotedFieldsWithDelimitersAndEscapedQuotes() throws IOException {
    String quoted =
        "\"P2\",E2,2345-7,\"Glucose, \"\"fasting\"\"\",95.5,mg/dL,70,99,N,2024-01-15 08:30:00,F,";
    String quotedEmpty = "P3,E3,2345-7,\"Glucose\",95.5,mg/dL,,,,2024-01-15 08:30:00,\"\",";
    IngestRun run =
        fixture.ingestExpecting(
            fixture.write("quoted.csv", csv(row(1), quoted, quotedEmpty)), 3, 3);
    assertThat(fixture.acceptedTestNames(run))
        .containsExactly("Glucose", "Glucose", "Glucose, \"fasting\"");
  }

  @Test
  void headerWithQuotedColumnNames() throws IOException {
    String header =
        Arrays.stream(HEADER.split(","))
            .map(name -> "\"" + name + "\"")
            .collect(Collectors.joining(","));
    fixture.ingestExpecting(
        fixture.write("quoted-header.csv", header + "\n" + row(1) + "\n" + row(2) + "\n"), 2, 2);
  }

  @Test
  void utf16LittleEndianWithByteOrderMark() throws IOException {
    String content =
        "\uFEFF"
            + csv(row(1), "P2,E2,2345-7,Glükose,95.5,mg/dL,70,99,N,2024-01-15 08:30:00,F,1970");
    IngestRun run =
        fixture.ingestExpecting(
            fixture.write("utf16le-bom.csv", content.getBytes(StandardCharsets.UTF_16LE)), 2, 2);
    assertThat(fixture.acceptedTestNames(run)).containsExactly("Glucose", "Glükose");
  }

  @Test
  void utf16BigEndianWithByteOrderMark() throws IOException {
    String content = "\uFEFF" + csv(row(1), row(2), invalidFlag(3));
    IngestRun run =
        fixture.ingestExpecting(
            fixture.write("utf16be-bom.csv", content.getBytes(StandardCharsets.UTF_16BE)), 3, 2);
    assertThat(fixture.rejects(run))
        .containsExactly(new Reject(4, List.of("INVALID_FLAG"), invalidFlag(3)));
  }

  @Test
  void latin1FileInLatin1Source() throws IOException {
    String content =
        csv(
            row(1),
            "P2,E2,2345-7,Glukose (nüchtern),95.5,mg/dL,70,99,N,2024-01-15 08:30:00,F,1970");
    Path file = fixture.write("latin1.csv", content.getBytes(StandardCharsets.ISO_8859_1));
    IngestRun run = fixture.ingestExpecting(file, IngestFixture.LATIN1_SOURCE, 2, 2);
    assertThat(fixture.acceptedTestNames(run)).containsExactly("Glucose", "Glukose (nüchtern)");
  }

  @Test
  void latin1BytesInUtf8Source() throws IOException {
    String latin1 = "P2,E2,2345-7,Glukose (nüchtern),95.5,mg/dL,70,99,N,2024-01-15 08:30:00,F,1970";
    Path file =
        fixture.write(
            "latin1-in-utf8.csv",
            csv(row(1), latin1, row(3), latin1.replace("P2", "P4"))
                .getBytes(StandardCharsets.ISO_8859_1));
    IngestRun run = fixture.ingestExpecting(file, 4, 2);
    assertThat(run.rejectedByReason()).isEqualTo(Map.of("ENCODING", 2L));
    assertThat(fixture.rejects(run))
        .containsExactly(
            new Reject(3, List.of("ENCODING"), latin1.replace('ü', '\uFFFD')),
            new Reject(5, List.of("ENCODING"), latin1.replace('ü', '\uFFFD').replace("P2", "P4")));
  }

  @Test
  void fiftyMegabyteLine() throws IOException {
    Path file = fixture.file("long-line.csv");
    try (OutputStream output = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
      output.write(csv(row(1)).getBytes(StandardCharsets.UTF_8));
      output.write("P2,E2,2345-7,".getBytes(StandardCharsets.UTF_8));
      byte[] chunk = new byte[1 << 20];
      Arrays.fill(chunk, (byte) 'x');
      chunk[100] = '"';
      for (int i = 0; i < 50; i++) {
        output.write(chunk);
      }
      output.write(
          ",95.5,mg/dL,70,99,N,2024-01-15 08:30:00,F,1970\n".getBytes(StandardCharsets.UTF_8));
      output.write((row(3) + "\n").getBytes(StandardCharsets.UTF_8));
    }
    IngestRun run = fixture.ingestExpecting(file, 3, 2);
    List<Reject> rejects = fixture.rejects(run);
    assertThat(rejects)
        .extracting(Reject::lineNumber, Reject::reasonCodes)
        .containsExactly(tuple(3L, List.of("LINE_TOO_LONG")));
    assertThat(rejects.get(0).rawLine())
        .startsWith("P2,E2,2345-7,xxx")
        .endsWith("...")
        .hasSizeLessThan(5000);
    assertThat(MAX_LINE_BYTES).isLessThan(50L << 20);
  }

  @Test
  void gzipOfValidCsv() throws IOException {
    Path file =
        fixture.write(
            "valid.csv.gz",
            gzip(csv(row(1), row(2), invalidFlag(3)).getBytes(StandardCharsets.UTF_8)));
    IngestRun run = fixture.ingestExpecting(file, 3, 2);
    assertThat(fixture.rejects(run)).extracting(Reject::lineNumber).containsExactly(4L);
  }

  @Test
  void plainTextNamedGz() throws IOException {
    fixture.ingestExpecting(fixture.write("not-gzip.csv.gz", csv(row(1), row(2), row(3))), 3, 3);
  }

  @Test
  void trailingBlankLines() throws IOException {
    fixture.ingestExpecting(
        fixture.write("trailing-blank.csv", csv(row(1), row(2)) + "\n\n\n"), 2, 2);
  }

  @Test
  void blankLinesInTheMiddleKeepLineNumbers() throws IOException {
    IngestRun run =
        fixture.ingestExpecting(
            fixture.write("blank-middle.csv", csv(row(1), "", "", row(2), "", invalidFlag(3))),
            3,
            2);
    assertThat(fixture.rejects(run)).extracting(Reject::lineNumber).containsExactly(7L);
  }

  @Test
  void whitespaceOnlyLines() throws IOException {
    IngestRun run =
        fixture.ingestExpecting(
            fixture.write("whitespace.csv", csv(row(1), "   ", "\t", row(2))), 4, 2);
    assertThat(fixture.rejects(run))
        .extracting(Reject::lineNumber, Reject::reasonCodes)
        .containsExactly(tuple(3L, List.of("RAGGED_ROW")), tuple(4L, List.of("RAGGED_ROW")));
  }

  @Test
  void raggedRows() throws IOException {
    String tooFew = "P2,E2,2345-7,Glucose,95.5";
    String tooMany = row(3) + ",extra";
    IngestRun run =
        fixture.ingestExpecting(
            fixture.write("ragged.csv", csv(row(1), tooFew, tooMany, row(4))), 4, 2);
    assertThat(fixture.rejects(run))
        .containsExactly(
            new Reject(3, List.of("RAGGED_ROW"), tooFew),
            new Reject(4, List.of("RAGGED_ROW"), tooMany));
  }

  @Test
  void duplicateRows() throws IOException {
    IngestRun run =
        fixture.ingestExpecting(
            fixture.write("duplicates.csv", csv(row(1), row(2), row(1), row(1))), 4, 2);
    assertThat(run.rejectedByReason()).isEqualTo(Map.of("DUPLICATE_ROW", 2L));
    assertThat(fixture.rejects(run)).extracting(Reject::lineNumber).containsExactly(4L, 5L);
  }

  @Test
  void onlyRejects() throws IOException {
    IngestRun run =
        fixture.ingestExpecting(
            fixture.write(
                "only-rejects.csv",
                csv(
                    invalidFlag(1),
                    "P2",
                    ",E3,2345-7,Glucose,95.5,mg/dL,70,99,N,2024-01-15 08:30:00,F,1970")),
            3,
            0);
    assertThat(run.rejectedByReason())
        .isEqualTo(Map.of("INVALID_FLAG", 1L, "RAGGED_ROW", 1L, "MISSING_PATIENT_ID", 1L));
  }

  @Test
  void trailingDelimiterOnRowsOnly() throws IOException {
    IngestRun run =
        fixture.ingestExpecting(
            fixture.write("trailing-delimiter-rows.csv", csv(row(1) + ",", row(2) + ",")), 2, 0);
    assertThat(run.rejectedByReason()).isEqualTo(Map.of("RAGGED_ROW", 2L));
  }

  @Test
  void trailingDelimiterOnHeaderAndRows() throws IOException {
    fixture.ingestExpecting(
        fixture.write("trailing-delimiter.csv", HEADER + ",\n" + row(1) + ",\n" + row(2) + ",\n"),
        2,
        2);
  }

  @Test
  void veryManyColumns() throws IOException {
    int extra = 3000;
    String header =
        HEADER
            + IntStream.range(0, extra).mapToObj(i -> ",extra_" + i).collect(Collectors.joining());
    String filler = ",v".repeat(extra);
    String content =
        header
            + "\n"
            + row(1)
            + filler
            + "\n"
            + row(2)
            + filler
            + "\n"
            + row(3)
            + filler.substring(2)
            + "\n";
    IngestRun run = fixture.ingestExpecting(fixture.write("wide.csv", content), 3, 2);
    assertThat(fixture.rejects(run))
        .extracting(Reject::lineNumber, Reject::reasonCodes)
        .containsExactly(tuple(4L, List.of("RAGGED_ROW")));
  }

  private static String invalidFlag(int patient) {
    return row(patient).replace(",N,", ",X,");
  }

  private static void assertUnreadable(Path file, String problem) {
    assertThatThrownBy(() -> fixture.ingest(file))
        .isInstanceOf(UnreadableFileException.class)
        .hasMessageStartingWith(file + ": ")
        .hasMessageContaining(problem)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }
}
