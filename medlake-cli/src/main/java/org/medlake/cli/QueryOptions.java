package org.medlake.cli;

import org.medlake.core.security.Role;
import org.medlake.query.engine.AsOf;
import picocli.CommandLine.Option;

/** Options shared by the commands that run queries. */
final class QueryOptions {
  @Option(
      names = "--role",
      defaultValue = "analyst",
      description = "act as this role (default ${DEFAULT-VALUE})")
  String role;

  @Option(
      names = "--as-of",
      paramLabel = "SNAPSHOT|TIMESTAMP",
      description = "read the tables as of a snapshot id or a timestamp")
  String asOf;

  @Option(names = "--dry-run", description = "print only the pre-flight estimate")
  boolean dryRun;

  @Option(names = "--json", description = "print as JSON")
  boolean json;

  @Option(names = "--csv", description = "print as CSV")
  boolean csv;

  Role role() {
    return Role.parse(role);
  }

  AsOf asOf() {
    return asOf == null ? AsOf.CURRENT : AsOf.parse(asOf);
  }

  ResultPrinter.Format format() {
    return json
        ? ResultPrinter.Format.JSON
        : csv ? ResultPrinter.Format.CSV : ResultPrinter.Format.TABLE;
  }
}
