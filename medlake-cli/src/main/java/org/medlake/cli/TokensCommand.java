package org.medlake.cli;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.medlake.platform.store.ApiToken;
import org.medlake.platform.store.IssuedToken;
import org.medlake.platform.store.PlatformDatabase;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "tokens",
    description = "Manage API tokens: create, list, revoke.",
    subcommands = {
      TokensCommand.Create.class,
      TokensCommand.ListTokens.class,
      TokensCommand.Revoke.class
    })
final class TokensCommand {
  @ParentCommand MedlakeCommand parent;

  @Command(
      name = "create",
      description = "Create a token for a user; the secret is printed once and stored only hashed.")
  static final class Create implements Callable<Integer> {
    @ParentCommand TokensCommand tokens;

    @Parameters(paramLabel = "USER")
    String user;

    @Option(
        names = "--days",
        defaultValue = "90",
        description = "validity in days (default ${DEFAULT-VALUE})")
    int days;

    @Option(names = "--description", defaultValue = "", description = "what the token is for")
    String description;

    @Override
    public Integer call() {
      org.medlake.core.config.MedlakeHome home = tokens.parent.openHome();
      // the same cap as the API's (server.max-token-days): a token is no longer lived because it
      // came from the CLI
      int maxDays = home.config().server().maxTokenDays();
      if (days < 1 || days > maxDays) {
        throw new org.medlake.core.error.ValidationException(
            "--days must be a whole number from 1 to "
                + maxDays
                + " (server.max-token-days), not "
                + days);
      }
      try (PlatformDatabase platform = PlatformDatabase.open(home)) {
        IssuedToken issued = platform.tokens().create(user, description, Duration.ofDays(days));
        System.out.println(issued.secret());
        System.err.println(
            "token "
                + issued.token().id()
                + " for "
                + user
                + ", expires "
                + issued.token().expiresAt()
                + "; send it as 'Authorization: Bearer <token>'. It is not shown again.");
      }
      return 0;
    }
  }

  @Command(name = "list", description = "List tokens (never their secrets).")
  static final class ListTokens implements Callable<Integer> {
    @ParentCommand TokensCommand tokens;

    @Option(names = "--user", description = "only this user's tokens")
    String user;

    @Option(names = "--json", description = "print as JSON")
    boolean json;

    @Override
    public Integer call() {
      try (PlatformDatabase platform = PlatformDatabase.open(tokens.parent.openHome())) {
        List<ApiToken> all = platform.tokens().list(Optional.ofNullable(user));
        if (json) {
          Output.json(System.out, all);
        } else {
          Output.table(
              System.out,
              List.of("token", "user", "description", "created", "expires", "revoked"),
              all.stream()
                  .map(
                      token ->
                          List.of(
                              token.id(),
                              token.user(),
                              token.description(),
                              token.createdAt().toString(),
                              token.expiresAt().toString(),
                              token.revokedAt().map(Object::toString).orElse("")))
                  .toList());
        }
      }
      return 0;
    }
  }

  @Command(name = "revoke", description = "Revoke a token.")
  static final class Revoke implements Callable<Integer> {
    @ParentCommand TokensCommand tokens;

    @Parameters(paramLabel = "TOKEN_ID")
    String id;

    @Override
    public Integer call() {
      try (PlatformDatabase platform = PlatformDatabase.open(tokens.parent.openHome())) {
        platform.tokens().revoke(id);
        System.out.println("revoked " + id);
      }
      return 0;
    }
  }
}
