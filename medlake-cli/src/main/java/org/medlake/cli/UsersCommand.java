package org.medlake.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.medlake.core.error.ValidationException;
import org.medlake.core.security.Role;
import org.medlake.platform.store.PlatformDatabase;
import org.medlake.platform.store.User;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "users",
    description = "Manage users: add, list, disable.",
    subcommands = {
      UsersCommand.Add.class,
      UsersCommand.ListUsers.class,
      UsersCommand.Disable.class
    })
final class UsersCommand {
  @ParentCommand MedlakeCommand parent;

  @Command(
      name = "add",
      description =
          "Add a user; the password comes from MEDLAKE_PASSWORD or the first line of standard input.")
  static final class Add implements Callable<Integer> {
    @ParentCommand UsersCommand users;

    @Parameters(paramLabel = "NAME")
    String name;

    @Option(names = "--role", required = true, description = "admin, analyst, viewer or uploader")
    String role;

    @Option(names = "--hospital", description = "the hospital an uploader uploads for")
    String hospital;

    @Override
    public Integer call() throws Exception {
      char[] password = password(users.parent.environment);
      try (PlatformDatabase platform = PlatformDatabase.open(users.parent.openHome())) {
        User user =
            platform.users().add(name, Role.parse(role), Optional.ofNullable(hospital), password);
        System.out.println(
            "added "
                + user.name()
                + " ("
                + user.role().key()
                + user.hospitalId().map(id -> ", hospital " + id).orElse("")
                + ")");
      } finally {
        java.util.Arrays.fill(password, '\0');
      }
      return 0;
    }

    private static char[] password(org.medlake.core.config.Environment environment)
        throws Exception {
      Optional<String> fromEnvironment = environment.get("MEDLAKE_PASSWORD");
      if (fromEnvironment.isPresent()) {
        return fromEnvironment.get().toCharArray();
      }
      String line =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      if (line == null || line.isEmpty()) {
        throw new ValidationException(
            "No password: set MEDLAKE_PASSWORD or write it on standard input");
      }
      return line.toCharArray();
    }
  }

  @Command(name = "list", description = "List users.")
  static final class ListUsers implements Callable<Integer> {
    @ParentCommand UsersCommand users;

    @Option(names = "--json", description = "print as JSON")
    boolean json;

    @Override
    public Integer call() {
      try (PlatformDatabase platform = PlatformDatabase.open(users.parent.openHome())) {
        List<User> all = platform.users().list();
        if (json) {
          Output.json(System.out, all);
        } else {
          Output.table(
              System.out,
              List.of("user", "role", "hospital", "enabled", "created"),
              all.stream()
                  .map(
                      user ->
                          List.of(
                              user.name(),
                              user.role().key(),
                              user.hospitalId().orElse(""),
                              user.enabled() ? "yes" : "no",
                              user.createdAt().toString()))
                  .toList());
        }
      }
      return 0;
    }
  }

  @Command(
      name = "disable",
      description = "Disable a user: no more logins, its tokens stop working.")
  static final class Disable implements Callable<Integer> {
    @ParentCommand UsersCommand users;

    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      try (PlatformDatabase platform = PlatformDatabase.open(users.parent.openHome())) {
        platform.users().disable(name);
        System.out.println("disabled " + name);
      }
      return 0;
    }
  }
}
