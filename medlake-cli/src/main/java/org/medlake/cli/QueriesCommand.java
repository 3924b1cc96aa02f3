package org.medlake.cli;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.medlake.query.predefined.PredefinedQueries;
import org.medlake.query.predefined.PredefinedQuery;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "queries", description = "List the predefined queries with their parameters.")
final class QueriesCommand implements Callable<Integer> {
  @ParentCommand MedlakeCommand parent;

  @Option(names = "--json", description = "print as JSON (with parameter schemas)")
  boolean json;

  @Override
  public Integer call() {
    List<PredefinedQuery> queries = PredefinedQueries.load(parent.openHome().queries()).list();
    if (json) {
      Output.json(System.out, queries);
      return 0;
    }
    Output.table(
        System.out,
        List.of("query", "title", "parameters"),
        queries.stream()
            .map(
                query ->
                    List.of(
                        query.name(),
                        query.title(),
                        query.parameters().stream()
                            .map(
                                parameter ->
                                    parameter.name()
                                        + ":"
                                        + parameter.type()
                                        + (parameter.defaultValue() == null
                                            ? ""
                                            : "=" + parameter.defaultValue()))
                            .collect(Collectors.joining(" "))))
            .toList());
    return 0;
  }
}
