package org.medlake.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.medlake.core.contract.TableContract;
import org.medlake.core.security.Role;
import org.medlake.lake.Lakehouse;
import org.medlake.query.catalog.CatalogService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "describe",
    description =
        "Show a table's columns with types and descriptions, and its hospital x month coverage.")
final class DescribeCommand implements Callable<Integer> {
  @ParentCommand MedlakeCommand parent;

  @Parameters(paramLabel = "TABLE")
  String table;

  @Option(
      names = "--role",
      defaultValue = "admin",
      description = "act as this role (default ${DEFAULT-VALUE})")
  String role;

  @Option(names = "--json", description = "print as JSON")
  boolean json;

  @Override
  public Integer call() {
    try (Lakehouse lakehouse = Lakehouse.open(parent.openHome())) {
      CatalogService catalog = new CatalogService(lakehouse);
      TableContract contract = catalog.describe(table, Role.parse(role));
      List<CatalogService.Partition> partitions = catalog.partitions(table, Role.parse(role));
      if (json) {
        Map<String, Object> description = new LinkedHashMap<>();
        description.put("name", contract.name());
        description.put("description", contract.description());
        description.put("columns", contract.columns());
        description.put(
            "partitioned_by",
            List.of(
                "month(" + contract.monthPartitionColumn() + ")",
                contract.identityPartitionColumn()));
        description.put("sorted_by", contract.sortColumns());
        description.put("partitions", partitions);
        Output.json(System.out, description);
        return 0;
      }
      System.out.println(contract.name() + ": " + contract.description());
      System.out.println(
          "partitioned by month("
              + contract.monthPartitionColumn()
              + "), "
              + contract.identityPartitionColumn()
              + "; sorted by "
              + String.join(", ", contract.sortColumns()));
      System.out.println();
      Output.table(
          System.out,
          List.of("column", "type", "required", "description"),
          contract.columns().stream()
              .map(
                  column ->
                      List.of(
                          column.name(),
                          column.type().name().toLowerCase(java.util.Locale.ROOT),
                          column.required() ? "yes" : "no",
                          column.description()))
              .toList());
      System.out.println();
      Output.table(
          System.out,
          List.of("hospital", "month", "rows", "files", "bytes"),
          partitions.stream()
              .map(
                  partition ->
                      List.of(
                          partition.hospitalId(),
                          partition.month(),
                          Output.count(partition.rows()),
                          Output.count(partition.files()),
                          Output.bytes(partition.bytes())))
              .toList());
    }
    return 0;
  }
}
