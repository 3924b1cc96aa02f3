package org.medlake.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The distribution's logging configuration keeps the audit trail's JSON line (docs/security.md).
 */
class TestAuditLogLine {
  @Test
  void theAuditLoggerWritesInfoLinesWhileOtherLibrariesOnlyWarn() {
    assertThat(LoggerFactory.getLogger("medlake.audit").isInfoEnabled()).isTrue();
    assertThat(LoggerFactory.getLogger("org.apache.iceberg.SnapshotProducer").isInfoEnabled())
        .isFalse();
  }
}
