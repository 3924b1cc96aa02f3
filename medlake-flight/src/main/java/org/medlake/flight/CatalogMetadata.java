package org.medlake.flight;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.arrow.flight.FlightProducer.ServerStreamListener;
import org.apache.arrow.flight.sql.FlightSqlProducer;
import org.apache.arrow.flight.sql.impl.FlightSql;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.medlake.core.contract.TableContract;
import org.medlake.core.security.Role;
import org.medlake.query.catalog.CatalogService;
import org.medlake.query.result.ResultColumn;

/**
 * What a BI tool's browser asks first: the tables the caller's role may query (the catalogue's,
 * rejects for admins only), as unqualified names without catalog or schema, because that is how the
 * SQL guard wants them written; one table type, {@code TABLE}.
 */
final class CatalogMetadata {
  static final String TABLE_TYPE = "TABLE";

  private CatalogMetadata() {}

  static void tables(
      FlightSql.CommandGetTables command,
      Role role,
      BufferAllocator allocator,
      ServerStreamListener listener) {
    Pattern names =
        command.hasTableNameFilterPattern()
            ? like(command.getTableNameFilterPattern())
            : Pattern.compile(".*", Pattern.DOTALL);
    boolean typeMatches =
        command.getTableTypesCount() == 0 || command.getTableTypesList().contains(TABLE_TYPE);
    // medlake's tables have no catalog and no schema: a filter naming one matches none of them
    boolean qualified =
        command.hasCatalog() && !command.getCatalog().isEmpty()
            || command.hasDbSchemaFilterPattern()
                && !like(command.getDbSchemaFilterPattern()).matcher("").matches();
    List<TableContract> tables =
        typeMatches && !qualified
            ? CatalogService.visibleTables(role).stream()
                .filter(table -> names.matcher(table.name()).matches())
                .toList()
            : List.of();
    try (VectorSchemaRoot root =
        VectorSchemaRoot.create(
            command.getIncludeSchema()
                ? FlightSqlProducer.Schemas.GET_TABLES_SCHEMA
                : FlightSqlProducer.Schemas.GET_TABLES_SCHEMA_NO_SCHEMA,
            allocator)) {
      root.allocateNew();
      VarCharVector name = (VarCharVector) root.getVector("table_name");
      VarCharVector type = (VarCharVector) root.getVector("table_type");
      for (int row = 0; row < tables.size(); row++) {
        TableContract table = tables.get(row);
        root.getVector("catalog_name").setNull(row);
        root.getVector("db_schema_name").setNull(row);
        name.setSafe(row, table.name().getBytes(StandardCharsets.UTF_8));
        type.setSafe(row, TABLE_TYPE.getBytes(StandardCharsets.UTF_8));
        if (command.getIncludeSchema()) {
          ((VarBinaryVector) root.getVector("table_schema"))
              .setSafe(
                  row,
                  ArrowResults.schema(
                          table.columns().stream()
                              .map(
                                  column ->
                                      new ResultColumn(column.name(), column.type().duckDbType()))
                              .toList())
                      .serializeAsMessage());
        }
      }
      root.setRowCount(tables.size());
      listener.start(root);
      listener.putNext();
      listener.completed();
    }
  }

  static void tableTypes(BufferAllocator allocator, ServerStreamListener listener) {
    try (VectorSchemaRoot root =
        VectorSchemaRoot.create(FlightSqlProducer.Schemas.GET_TABLE_TYPES_SCHEMA, allocator)) {
      root.allocateNew();
      ((VarCharVector) root.getVector("table_type"))
          .setSafe(0, TABLE_TYPE.getBytes(StandardCharsets.UTF_8));
      root.setRowCount(1);
      listener.start(root);
      listener.putNext();
      listener.completed();
    }
  }

  /** No catalogs and no schemas: an empty answer of {@code schema}'s shape. */
  static void empty(
      org.apache.arrow.vector.types.pojo.Schema schema,
      BufferAllocator allocator,
      ServerStreamListener listener) {
    try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
      root.allocateNew();
      root.setRowCount(0);
      listener.start(root);
      listener.putNext();
      listener.completed();
    }
  }

  /** An SQL LIKE pattern ({@code %}, {@code _}, backslash escapes) as a regular expression. */
  static Pattern like(String pattern) {
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '\\' && i + 1 < pattern.length()) {
        regex.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
      } else if (c == '%') {
        regex.append(".*");
      } else if (c == '_') {
        regex.append('.');
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString(), Pattern.DOTALL);
  }
}
