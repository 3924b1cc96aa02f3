package org.medlake.testkit.generate;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns fields into the bytes of one CSV line. It writes bytes itself rather than through a Writer,
 * because an ENCODING defect needs a byte that no Writer would let through.
 */
final class CsvLineEncoder {
  /** In a field, stands for the single byte 0xE9 (Latin-1 é), which is not valid UTF-8 here. */
  static final char STRAY_LATIN1_BYTE = '\uF8E9';

  /** In a field, stands for the single byte 0xFF, which never occurs in UTF-8. */
  static final char STRAY_FF_BYTE = '\uF8FF';

  private static final byte QUOTE = '"';

  private final char delimiter;
  private final byte[] lineSeparator;
  private byte[] buffer = new byte[512];
  private int length;

  CsvLineEncoder(char delimiter, String lineSeparator) {
    this.delimiter = delimiter;
    this.lineSeparator = lineSeparator.getBytes(StandardCharsets.US_ASCII);
  }

  /** Encodes a well-formed line; fields are quoted when they hold a delimiter or quote. */
  CsvLineEncoder encode(String[] fields) {
    return encode(fields, -1, "");
  }

  /**
   * Encodes a line whose field {@code badlyQuotedField} is quoted and followed by {@code
   * textAfterQuote}, e.g. {@code "Glucose"x}; it keeps an even number of quote characters.
   */
  CsvLineEncoder encode(String[] fields, int badlyQuotedField, String textAfterQuote) {
    length = 0;
    for (int i = 0; i < fields.length; i++) {
      if (i > 0) {
        appendChar(delimiter);
      }
      String field = fields[i];
      if (i == badlyQuotedField) {
        appendByte(QUOTE);
        appendText(field.replace("\"", ""));
        appendByte(QUOTE);
        appendText(textAfterQuote);
      } else if (needsQuotes(field)) {
        appendByte(QUOTE);
        appendText(field.replace("\"", "\"\""));
        appendByte(QUOTE);
      } else {
        appendText(field);
      }
    }
    for (byte separatorByte : lineSeparator) {
      appendByte(separatorByte);
    }
    return this;
  }

  void writeTo(OutputStream output) throws IOException {
    output.write(buffer, 0, length);
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buffer, length);
  }

  private boolean needsQuotes(String field) {
    for (int i = 0; i < field.length(); i++) {
      char character = field.charAt(i);
      if (character == delimiter || character == '"' || character == '\n' || character == '\r') {
        return true;
      }
    }
    return false;
  }

  private void appendText(String text) {
    for (int i = 0; i < text.length(); i++) {
      char character = text.charAt(i);
      if (Character.isHighSurrogate(character) && i + 1 < text.length()) {
        appendCodePoint(Character.toCodePoint(character, text.charAt(++i)));
      } else {
        appendChar(character);
      }
    }
  }

  private void appendChar(char character) {
    if (character < 0x80) {
      appendByte((byte) character);
    } else if (character == STRAY_LATIN1_BYTE) {
      appendByte((byte) 0xE9);
    } else if (character == STRAY_FF_BYTE) {
      appendByte((byte) 0xFF);
    } else {
      appendCodePoint(character);
    }
  }

  private void appendCodePoint(int codePoint) {
    if (codePoint < 0x80) {
      appendByte((byte) codePoint);
    } else if (codePoint < 0x800) {
      appendByte((byte) (0xC0 | (codePoint >> 6)));
      appendByte((byte) (0x80 | (codePoint & 0x3F)));
    } else if (codePoint < 0x10000) {
      appendByte((byte) (0xE0 | (codePoint >> 12)));
      appendByte((byte) (0x80 | ((codePoint >> 6) & 0x3F)));
      appendByte((byte) (0x80 | (codePoint & 0x3F)));
    } else {
      appendByte((byte) (0xF0 | (codePoint >> 18)));
      appendByte((byte) (0x80 | ((codePoint >> 12) & 0x3F)));
      appendByte((byte) (0x80 | ((codePoint >> 6) & 0x3F)));
      appendByte((byte) (0x80 | (codePoint & 0x3F)));
    }
  }

  private void appendByte(byte value) {
    if (length == buffer.length) {
      buffer = Arrays.copyOf(buffer, buffer.length * 2);
    }
    buffer[length++] = value;
  }
}
