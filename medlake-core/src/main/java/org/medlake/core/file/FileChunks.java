package org.medlake.core.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a scanned file into chunks of whole records, so that a file of any size can be processed in
 * pieces of bounded size. Cuts fall on the scan's line index (every {@link LineScan#INDEX_STRIDE}
 * lines), never inside a record whose quoted field spans lines; the header belongs to the first
 * chunk.
 */
public final class FileChunks {
  /**
   * Lines {@code firstLine..lastLine} of the file, bytes {@code startByte} (inclusive) to {@code
   * endByte} (exclusive).
   *
   * @param index position from 0
   */
  public record Chunk(int index, long firstLine, long lastLine, long startByte, long endByte) {
    /** The first line holding a record: the header is not one. */
    public long firstRecordLine() {
      return Math.max(2, firstLine);
    }

    /** Records in the chunk. */
    public long records() {
      return lastLine - firstRecordLine() + 1;
    }
  }

  private FileChunks() {}

  /**
   * Chunks of about {@code chunkRecords} records each (balanced, so the last one is not a
   * remainder), one chunk for a file of at most that many.
   */
  public static List<Chunk> plan(
      LineScan scan, long fileBytes, List<RecordGroups.Span> spans, long chunkRecords) {
    if (chunkRecords <= 0) {
      throw new IllegalArgumentException("chunkRecords must be positive, not " + chunkRecords);
    }
    long records = Math.max(0, scan.lines() - 1);
    List<Long> index = scan.lineIndex();
    long wanted = Math.max(1, (records + chunkRecords - 1) / chunkRecords);
    List<Integer> entries = new ArrayList<>(List.of(0));
    for (long k = 1; k < wanted; k++) {
      long target = 2 + Math.round((double) k * records / wanted);
      int entry =
          (int)
              Math.max(
                  entries.get(entries.size() - 1) + 1,
                  Math.round((target - 1) / (double) LineScan.INDEX_STRIDE));
      while (entry < index.size() && insideSpan(firstLineOf(entry), spans)) {
        entry++;
      }
      if (entry >= index.size()) {
        break;
      }
      entries.add(entry);
    }
    List<Chunk> chunks = new ArrayList<>(entries.size());
    for (int i = 0; i < entries.size(); i++) {
      boolean last = i == entries.size() - 1;
      int entry = entries.get(i);
      chunks.add(
          new Chunk(
              i,
              firstLineOf(entry),
              last ? scan.lines() : firstLineOf(entries.get(i + 1)) - 1,
              index.get(entry),
              last ? fileBytes : index.get(entries.get(i + 1))));
    }
    return List.copyOf(chunks);
  }

  /**
   * Copies the chunk's bytes of {@code file} to {@code target} (replaced if it exists), in the
   * kernel where it can.
   */
  public static void copy(Path file, Chunk chunk, Path target) throws IOException {
    try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ);
        FileChannel out =
            FileChannel.open(
                target,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
      long position = chunk.startByte();
      while (position < chunk.endByte()) {
        long copied = in.transferTo(position, chunk.endByte() - position, out);
        if (copied <= 0) {
          throw new IOException(
              file
                  + " ended at byte "
                  + position
                  + ", before the chunk's end at "
                  + chunk.endByte());
        }
        position += copied;
      }
    }
  }

  private static long firstLineOf(int entry) {
    return 1 + (long) entry * LineScan.INDEX_STRIDE;
  }

  /** Whether cutting before {@code line} would split a record spanning lines. */
  private static boolean insideSpan(long line, List<RecordGroups.Span> spans) {
    for (RecordGroups.Span span : spans) {
      if (span.startLine() < line && line <= span.endLine()) {
        return true;
      }
    }
    return false;
  }
}
