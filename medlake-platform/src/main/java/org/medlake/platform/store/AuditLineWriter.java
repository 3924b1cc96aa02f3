package org.medlake.platform.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the JSON line of each recorded event goes; the logger {@code medlake.audit} in production.
 */
@FunctionalInterface
interface AuditLineWriter {
  String LOGGER_NAME = "medlake.audit";

  void write(String line);

  static AuditLineWriter slf4j() {
    Logger logger = LoggerFactory.getLogger(LOGGER_NAME);
    return logger::info;
  }
}
