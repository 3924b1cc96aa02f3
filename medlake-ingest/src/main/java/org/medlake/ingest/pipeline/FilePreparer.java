package org.medlake.ingest.pipeline;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
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
import org.medlake.ingest.source.SourceMapping.CsvFormat;

/**
 * Reads a delivered file once to checksum it and number its lines; decompresses gzip, transcodes
 * other encodings and repairs undecodable or overlong lines into a UTF-8 copy only when DuckDB
 * could not read the original line by line.
 */
final class FilePreparer {
  private static final int TRUNCATED_LINE_CHARS = 4096;

  private final IngestConfig config;
  private final Path temporaryDirectory;

  FilePreparer(IngestConfig config, Path temporaryDirectory) {
    this.config = config;
    this.temporaryDirectory = temporaryDirectory;
  }

  PreparedFile prepare(Path file, CsvFormat csv) {
    try {
      long size = Files.size(file);
      byte[] head = head(file);
      boolean gzip = head.length >= 2 && (head[0] & 0xFF) == 0x1F && (head[1] & 0xFF) == 0x8B;
      Charset charset = charset(file, csv.encoding());
      if (!gzip && (head.length >= 2 && ((head[0] & 0xFF) == 0xFE && (head[1] & 0xFF) == 0xFF || (head[0] & 0xFF) == 0xFF && (head[1] & 0xFF) == 0xFE))) {
        charset = StandardCharsets.UTF_16;
      }
      LineScanner scanner = new LineScanner(csv.quote(), config.maxLineBytes());
      if (!gzip && charset.equals(StandardCharsets.UTF_8)) {
        MessageDigest digest = sha256();
        LineScan scan;
        try (InputStream input = new DigestInputStream(Files.newInputStream(file), digest)) {
          scan = scanner.scan(input);
        }
        String checksum = HexFormat.of().formatHex(digest.digest());
        refuseBinary(file, scan);
        if (!scan.needsNormalization()) {
          return new PreparedFile(file, file, checksum, size, scan, Set.of(), Set.of());
        }
        Path copy = temporaryCopy(file);
        Normalized normalized;
        try (InputStream input = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
          normalized = normalize(input, StandardCharsets.UTF_8, copy, file);
        }
        return finish(file, copy, checksum, size, scanner, normalized);
      }
      MessageDigest digest = sha256();
      Path copy = temporaryCopy(file);
      Normalized normalized;
      try (InputStream raw = new DigestInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16), digest)) {
        InputStream decoded = gzip ? new LimitedInputStream(new GZIPInputStream(raw, 1 << 16), config.maxDecompressedBytes(), file) : raw;
        if (gzip) {
          byte[] inner = decoded.readNBytes(4);
          refuseNested(file, inner);
          decoded = new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(inner), decoded);
        }
        normalized = normalize(decoded, charset, copy, file);
        raw.transferTo(java.io.OutputStream.nullOutputStream());
      } catch (EOFException e) {
        throw new UnreadableFileException(file, "truncated gzip file (unexpected end of compressed data)", e);
      } catch (ZipException e) {
        throw new UnreadableFileException(file, "corrupt gzip file: " + e.getMessage(), e);
      }
      return finish(file, copy, HexFormat.of().formatHex(digest.digest()), size, scanner, normalized);
    } catch (IOException e) {
      throw new UnreadableFileException(file, "cannot read: " + e.getMessage(), e);
    }
  }

  private PreparedFile finish(Path file, Path copy, String checksum, long size, LineScanner scanner, Normalized normalized)
      throws IOException {
    LineScan scan;
    try (InputStream input = Files.newInputStream(copy)) {
      scan = scanner.scan(input);
    }
    refuseBinary(file, scan);
    return new PreparedFile(file, copy, checksum, size, scan, normalized.encodingLines(), normalized.overlongLines());
  }

  private record Normalized(Set<Long> encodingLines, Set<Long> overlongLines) {}

  private Normalized normalize(InputStream input, Charset charset, Path copy, Path file) throws IOException {
    CharsetDecoder decoder =
        charset.newDecoder().onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
    Set<Long> encodingLines = new HashSet<>();
    Set<Long> overlongLines = new HashSet<>();
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(input, decoder), 1 << 16);
        BufferedWriter writer = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(copy), StandardCharsets.UTF_8), 1 << 16)) {
      String line;
      long number = 0;
      while ((line = reader.readLine()) != null) {
        number++;
        if (number == 1 && line.startsWith("\uFEFF")) {
          line = line.substring(1);
        }
        if (line.length() > config.maxLineBytes() || utf8Length(line) > config.maxLineBytes()) {
          overlongLines.add(number);
          // the prefix is kept for the reject record; quotes go so it cannot open a quoted field
          line = line.substring(0, Math.min(line.length(), TRUNCATED_LINE_CHARS)).replace("\"", "").replace("'", "") + "...";
        } else if (line.indexOf('\uFFFD') >= 0) {
          encodingLines.add(number);
        }
        writer.write(line);
        writer.write('\n');
      }
    } catch (java.nio.charset.MalformedInputException e) {
      throw new UnreadableFileException(file, "undecodable as " + charset.name(), e);
    }
    return new Normalized(encodingLines, overlongLines);
  }

  private static long utf8Length(String line) {
    long bytes = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
    }
    return bytes;
  }

  private static void refuseBinary(Path file, LineScan scan) {
    if (scan.nulBytes() > 0) {
      throw new UnreadableFileException(
          file, "contains " + scan.nulBytes() + " NUL bytes: not a text CSV in the declared encoding (UTF-16 without byte-order mark, or binary?)");
    }
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
      throw new UnreadableFileException(file, "unknown encoding '" + name + "' in the source mapping");
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

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Fails once more than {@code limit} bytes came out: the gzip-bomb guard. */
  private static final class LimitedInputStream extends FilterInputStream {
    private final long limit;
    private final Path file;
    private long count;

    LimitedInputStream(InputStream input, long limit, Path file) {
      super(input);
      this.limit = limit;
      this.file = file;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count(1);
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int read = super.read(buffer, offset, length);
      if (read > 0) {
        count(read);
      }
      return read;
    }

    private void count(int read) {
      count += read;
      if (count > limit) {
        throw new UnreadableFileException(
            file, "decompresses to more than " + limit + " bytes (ingest.max-decompressed-bytes; gzip bomb?)");
      }
    }
  }
}
