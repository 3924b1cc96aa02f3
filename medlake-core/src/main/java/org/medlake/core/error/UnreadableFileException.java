package org.medlake.core.error;

import java.nio.file.Path;

/** A delivered file cannot be read at all; nothing from it was stored. */
public class UnreadableFileException extends MedlakeException {
  public UnreadableFileException(Path file, String problem) {
    super(ErrorCode.UNREADABLE_FILE, file + ": " + problem);
  }

  public UnreadableFileException(Path file, String problem, Throwable cause) {
    super(ErrorCode.UNREADABLE_FILE, file + ": " + problem, cause);
  }
}
