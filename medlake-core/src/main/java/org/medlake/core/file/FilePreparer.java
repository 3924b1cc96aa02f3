package org.medlake.core.file;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PushbackInputStream;
import java.io.Reader;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.medlake.core.config.IngestConfig;
import org.medlake.core.error.UnreadableFileException;
import org.medlake.core.source.SourceMapping.CsvFormat;

/**
 * Reads a delivered file once to checksum it and number its lines; decompresses gzip, transcodes
 * other encodings and repairs undecodable or overlong lines into a UTF-8 copy only when DuckDB
 * could not read the original line by line.
 */
public final class FilePreparer {
  private static final int TRUNCATED_LINE_CHARS = 4096;

  private final IngestConfig config;
  private final Path temporaryDirectory;

  private final java.util.function.DoubleConsumer progress;

  public FilePreparer(
      IngestConfig config, Path temporaryDirectory, java.util.function.DoubleConsumer progress) {
    this.config = config;
    this.temporaryDirectory = temporaryDirectory;
    this.progress = progress;
  }

  public PreparedFile prepare(Path file, CsvFormat csv) {
    try {
      long size = Files.size(file);
      byte[] head = head(file);
      boolean gzip = head.length >= 2 && (head[0] & 0xFF) == 0x1F && (head[1] & 0xFF) == 0x8B;
      Charset charset = charset(file, csv.encoding());
      if (!gzip
          && head.length >= 3
          && (head[0] & 0xFF) == 0xEF
          && (head[1] & 0xFF) == 0xBB
          && (head[2] & 0xFF) == 0xBF) {
        // a UTF-8 byte-order mark is unambiguous; read as the declared encoding it would garble the
        // header
        charset = StandardCharsets.UTF_8;
      }
      if (!gzip
          && (head.length >= 2
              && ((head[0] & 0xFF) == 0xFE && (head[1] & 0xFF) == 0xFF
                  || (head[0] & 0xFF) == 0xFF && (head[1] & 0xFF) == 0xFE))) {
        charset = StandardCharsets.UTF_16;
      }
      LineScanner scanner = new LineScanner(csv.delimiter(), csv.quote(), config.maxLineBytes());
      if (!gzip && charset.equals(StandardCharsets.UTF_8)) {
        // the checksum reads the file on a second core while this thread scans it
        java.util.concurrent.CompletableFuture<String> digest =
            java.util.concurrent.CompletableFuture.supplyAsync(() -> checksum(file));
        LineScan scan;
        try (InputStream input =
            new CountingInputStream(Files.newInputStream(file), progress(size, progress))) {
          scan = scanner.scan(input);
        }
        String checksum = joinChecksum(digest, file);
        refuseUnusable(file, scan, scan.invalidLines().contains(1L), charset);
        if (!scan.needsNormalization() && !compressedByName(file)) {
          return new PreparedFile(file, file, checksum, size, scan, Set.of(), Set.of());
        }
        Path copy = temporaryCopy(file);
        Normalized normalized;
        try (InputStream input = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
          normalized = normalize(input, StandardCharsets.UTF_8, copy, file);
        }
        return finish(file, copy, checksum, size, scanner, normalized, StandardCharsets.UTF_8);
      }
      MessageDigest digest = sha256();
      Path copy = temporaryCopy(file);
      Normalized normalized;
      try (InputStream raw =
          new DigestInputStream(
              new BufferedInputStream(
                  new CountingInputStream(Files.newInputStream(file), progress(size, progress)),
                  1 << 16),
              digest)) {
        InputStream decoded =
            gzip
                ? new CountingInputStream(
                    new GZIPInputStream(raw, 1 << 16), limit(config.maxDecompressedBytes(), file))
                : raw;
        if (gzip) {
          // peeked and pushed back: a SequenceInputStream would close the gzip stream (and the
          // checksummed file stream under it) at its end, before the rest is read into the checksum
          PushbackInputStream peekable = new PushbackInputStream(decoded, 4);
          byte[] inner = peekable.readNBytes(4);
          refuseNested(file, inner);
          peekable.unread(inner);
          decoded = peekable;
        }
        normalized = normalize(decoded, charset, copy, file);
        // the rest of the file (gzip trailer, trailing bytes) still belongs to the checksum
        raw.transferTo(java.io.OutputStream.nullOutputStream());
      } catch (EOFException e) {
        throw new UnreadableFileException(
            file, "truncated gzip file (unexpected end of compressed data)", e);
      } catch (ZipException e) {
        throw new UnreadableFileException(file, "corrupt gzip file: " + e.getMessage(), e);
      }
      return finish(
          file,
          copy,
          HexFormat.of().formatHex(digest.digest()),
          size,
          scanner,
          normalized,
          charset);
    } catch (IOException e) {
      throw new UnreadableFileException(file, "cannot read: " + e.getMessage(), e);
    }
  }

  private PreparedFile finish(
      Path file,
      Path copy,
      String checksum,
      long size,
      LineScanner scanner,
      Normalized normalized,
      Charset charset)
      throws IOException {
    LineScan scan;
    try (InputStream input = Files.newInputStream(copy)) {
      scan = scanner.scan(input);
    }
    refuseUnusable(file, scan, normalized.encodingLines().contains(1L), charset);
    return new PreparedFile(
        file, copy, checksum, size, scan, normalized.encodingLines(), normalized.overlongLines());
  }

  private record Normalized(Set<Long> encodingLines, Set<Long> overlongLines) {}

  /**
   * Writes the text as UTF-8 with {@code \n} line ends. Lines are read with a bounded buffer, so an
   * overlong line costs at most {@code max-line-bytes} of memory however long it is. The input is
   * left open: the caller still reads the rest of it into the checksum.
   */
  private Normalized normalize(InputStream input, Charset charset, Path copy, Path file)
      throws IOException {
    CharsetDecoder decoder =
        charset
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    Set<Long> encodingLines = new HashSet<>();
    Set<Long> overlongLines = new HashSet<>();
    Reader reader =
        new BufferedReader(
            new InputStreamReader(
                new FilterInputStream(input) {
                  @Override
                  public void close() {
                    // closed by the caller
                  }
                },
                decoder),
            1 << 16);
    try (BufferedWriter writer =
        new BufferedWriter(
            new OutputStreamWriter(Files.newOutputStream(copy), StandardCharsets.UTF_8), 1 << 16)) {
      long cap = Math.min(config.maxLineBytes(), Integer.MAX_VALUE - 16);
      StringBuilder line = new StringBuilder();
      long number = 0;
      long utf8Bytes = 0;
      boolean overlong = false;
      boolean replaced = false;
      boolean pendingCarriageReturn = false;
      boolean lineStarted = false;
      char[] buffer = new char[1 << 16];
      int read;
      while ((read = reader.read(buffer)) >= 0) {
        for (int i = 0; i < read; i++) {
          char c = buffer[i];
          if (pendingCarriageReturn) {
            pendingCarriageReturn = false;
            if (c == '\n') {
              continue;
            }
          }
          if (c == '\n' || c == '\r') {
            pendingCarriageReturn = c == '\r';
            writeLine(writer, line, ++number, overlong, replaced, encodingLines, overlongLines);
            line.setLength(0);
            utf8Bytes = 0;
            overlong = false;
            replaced = false;
            lineStarted = false;
            continue;
          }
          if (number == 0 && !lineStarted && c == '\uFEFF') {
            lineStarted = true;
            continue;
          }
          lineStarted = true;
          replaced |= c == '\uFFFD';
          utf8Bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
          if (!overlong && utf8Bytes > cap) {
            overlong = true;
            line.setLength(Math.min(line.length(), TRUNCATED_LINE_CHARS));
          }
          if (!overlong || line.length() < TRUNCATED_LINE_CHARS) {
            line.append(c);
          }
        }
      }
      if (lineStarted) {
        writeLine(writer, line, ++number, overlong, replaced, encodingLines, overlongLines);
      }
    } catch (java.nio.charset.MalformedInputException e) {
      throw new UnreadableFileException(file, "undecodable as " + charset.name(), e);
    }
    return new Normalized(encodingLines, overlongLines);
  }

  private static void writeLine(
      BufferedWriter writer,
      StringBuilder line,
      long number,
      boolean overlong,
      boolean replaced,
      Set<Long> encodingLines,
      Set<Long> overlongLines)
      throws IOException {
    if (overlong) {
      overlongLines.add(number);
      // the prefix is kept for the reject record; quotes go so it cannot open a quoted field
      writer.write(line.toString().replace("\"", "").replace("'", ""));
      writer.write("...");
    } else {
      if (replaced) {
        encodingLines.add(number);
      }
      writer.append(line);
    }
    writer.write('\n');
  }

  /** A file without a usable header line is refused before any row is looked at. */
  private static void refuseUnusable(
      Path file, LineScan scan, boolean headerUndecodable, Charset charset) {
    if (scan.lines() == 0) {
      throw new UnreadableFileException(file, "empty file (no header line, no rows)");
    }
    if (scan.nulBytes() > 0) {
      throw new UnreadableFileException(
          file,
          "contains "
              + scan.nulBytes()
              + " NUL bytes: not a text CSV in the declared encoding (UTF-16 without byte-order mark, or binary?)");
    }
    if (headerUndecodable) {
      throw new UnreadableFileException(
          file,
          "line 1: the header is not valid "
              + charset.name()
              + " (set csv.encoding in the source mapping to the file's encoding; or not a CSV file?)");
    }
  }

  /** DuckDB decompresses by file name; a plain-text file with such a name is read from a copy. */
  private static boolean compressedByName(Path file) {
    String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    return name.endsWith(".gz") || name.endsWith(".gzip") || name.endsWith(".zst");
  }

  private static void refuseNested(Path file, byte[] inner) {
    if (inner.length >= 2 && (inner[0] & 0xFF) == 0x1F && (inner[1] & 0xFF) == 0x8B) {
      throw new UnreadableFileException(file, "gzip inside gzip is not accepted");
    }
    if (inner.length >= 4 && inner[0] == 'P' && inner[1] == 'K' && inner[2] == 3 && inner[3] == 4) {
      throw new UnreadableFileException(file, "a zip archive inside gzip is not accepted");
    }
  }

  private static Charset charset(Path file, String name) {
    try {
      return Charset.forName(name);
    } catch (IllegalArgumentException e) {
      throw new UnreadableFileException(
          file, "unknown encoding '" + name + "' in the source mapping");
    }
  }

  private static byte[] head(Path file) throws IOException {
    try (InputStream input = Files.newInputStream(file)) {
      return input.readNBytes(4);
    }
  }

  private Path temporaryCopy(Path file) throws IOException {
    Files.createDirectories(temporaryDirectory);
    return Files.createTempFile(temporaryDirectory, "normalized-", ".csv");
  }

  /**
   * The SHA-256 of {@code file} in hex: what identifies a delivery (a file ingested before adds
   * nothing).
   */
  public static String checksum(Path file) {
    MessageDigest digest = sha256();
    byte[] buffer = new byte[1 << 16];
    try (InputStream input = Files.newInputStream(file)) {
      int read;
      while ((read = input.read(buffer)) > 0) {
        digest.update(buffer, 0, read);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("Cannot read " + file, e);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static String joinChecksum(
      java.util.concurrent.CompletableFuture<String> digest, Path file) throws IOException {
    try {
      return digest.join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof java.io.UncheckedIOException unchecked) {
        throw unchecked.getCause();
      }
      throw new UnreadableFileException(file, "cannot checksum: " + e.getCause(), e);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The gzip-bomb guard: fails once more than the limit came out of the decompressor. */
  private static java.util.function.LongConsumer limit(long limit, Path file) {
    return total -> {
      if (total > limit) {
        throw new UnreadableFileException(
            file,
            "decompresses to more than "
                + limit
                + " bytes (ingest.max-decompressed-bytes; gzip bomb?)");
      }
    };
  }

  /** Reports the fraction of the delivered file read, about every 32 MiB. */
  private static java.util.function.LongConsumer progress(
      long size, java.util.function.DoubleConsumer progress) {
    long step = 32L << 20;
    long[] next = {step};
    return total -> {
      if (total >= next[0]) {
        next[0] += step;
        progress.accept(Math.min(1.0, (double) total / Math.max(1, size)));
      }
    };
  }

  /** Passes the running total of bytes read to a callback. */
  private static final class CountingInputStream extends FilterInputStream {
    private final java.util.function.LongConsumer onCount;
    private long total;

    CountingInputStream(InputStream input, java.util.function.LongConsumer onCount) {
      super(input);
      this.onCount = onCount;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        onCount.accept(++total);
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int count = super.read(buffer, offset, length);
      if (count > 0) {
        total += count;
        onCount.accept(total);
      }
      return count;
    }
  }
}
