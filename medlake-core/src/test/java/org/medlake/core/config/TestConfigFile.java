package org.medlake.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.ValidationException;

class TestConfigFile {
  @TempDir Path directory;

  @Test
  void firstUseWritesCommentedDefaultsThatParseToTheDefaults() throws Exception {
    MedlakeHome home = MedlakeHome.open(directory.resolve("home"));
    String written = Files.readString(home.configFile());
    assertThat(written).contains("# Parquet compression").contains("compression: zstd");
    assertThat(home.config()).isEqualTo(MedlakeConfig.defaults());
    for (String sub : new String[] {"warehouse", "sources", "landing", "tmp"}) {
      assertThat(home.root().resolve(sub)).isDirectory();
    }
  }

  @Test
  void explicitValuesOverrideDefaults() {
    MedlakeConfig config =
        ConfigFile.parse(
            Path.of("medlake.yaml"),
            """
        catalog:
          commit-retries: 3
        ingest:
          compression: SNAPPY
          memory-limit: 512MB
          threads: 1
        """);
    assertThat(config.catalog()).isEqualTo(new CatalogConfig("medlake", 3));
    assertThat(config.ingest().compression()).isEqualTo("snappy");
    assertThat(config.ingest().memoryLimit()).isEqualTo("512MB");
    assertThat(config.ingest().threads()).isEqualTo(1);
    assertThat(config.ingest().maxLineBytes()).isEqualTo(IngestConfig.defaults().maxLineBytes());
  }

  @Test
  void theCompletenessCheckExpectsLastMonthUnlessAMonthIsPinned() {
    java.time.Clock clock =
        java.time.Clock.fixed(
            java.time.Instant.parse("2026-12-08T00:00:00Z"), java.time.ZoneOffset.UTC);
    assertThat(MedlakeConfig.defaults().schedules().expectedMonth(clock))
        .isEqualTo(java.time.YearMonth.of(2026, 11));
    MedlakeConfig pinned =
        ConfigFile.parse(Path.of("medlake.yaml"), "schedules:\n  completeness-month: 2024-12\n");
    assertThat(pinned.schedules().expectedMonth(clock)).isEqualTo(java.time.YearMonth.of(2024, 12));
    assertThat(pinned.schedules().completenessCheck())
        .isEqualTo(MedlakeConfig.defaults().schedules().completenessCheck());
    assertThatThrownBy(
            () ->
                ConfigFile.parse(
                    Path.of("medlake.yaml"), "schedules:\n  completeness-month: December\n"))
        .hasMessageContaining("schedules.completeness-month must be YYYY-MM");
  }

  @Test
  void countObfuscationIsOnByDefaultAndConfigurable() {
    assertThat(MedlakeConfig.defaults().query().obfuscation())
        .isEqualTo(new QueryConfig.Obfuscation(2.0, 6, 5));
    assertThat(MedlakeConfig.defaults().query().obfuscation().enabled()).isTrue();
    MedlakeConfig off =
        ConfigFile.parse(Path.of("medlake.yaml"), "query:\n  noise-sd: 0\n  round-to: 1\n");
    assertThat(off.query().obfuscation().enabled()).isFalse();
    assertThatThrownBy(() -> ConfigFile.parse(Path.of("medlake.yaml"), "query:\n  round-to: 0\n"))
        .hasMessageContaining("query.round-to");
    assertThatThrownBy(() -> ConfigFile.parse(Path.of("medlake.yaml"), "query:\n  noise-sd: -1\n"))
        .hasMessageContaining("query.noise-sd must be zero or positive, not -1.0");
  }

  @Test
  void unknownKeyIsAnErrorNamingTheKeyAndLine() {
    assertThatThrownBy(
            () -> ConfigFile.parse(Path.of("medlake.yaml"), "ingest:\n  compresion: zstd\n"))
        .isInstanceOf(ValidationException.class)
        .hasMessageStartingWith("medlake.yaml: unknown key 'ingest.compresion' (line 2)")
        .hasMessageContaining("compression")
        .satisfies(
            e ->
                assertThat(((ValidationException) e).errorCode())
                    .isEqualTo(ErrorCode.INVALID_CONFIG));
    assertThatThrownBy(
            () -> ConfigFile.parse(Path.of("medlake.yaml"), "ingestion:\n  threads: 2\n"))
        .hasMessageStartingWith("medlake.yaml: unknown key 'ingestion' (line 1)");
  }

  @Test
  void invalidValuesAreErrorsNamingTheKey() {
    assertThatThrownBy(
            () -> ConfigFile.parse(Path.of("medlake.yaml"), "ingest:\n  compression: lz4\n"))
        .isInstanceOf(ValidationException.class)
        .hasMessage(
            "medlake.yaml: ingest.compression must be one of zstd, snappy, gzip, not 'lz4'");
    assertThatThrownBy(() -> ConfigFile.parse(Path.of("medlake.yaml"), "ingest:\n  threads: 0\n"))
        .hasMessage("medlake.yaml: ingest.threads must be positive, not 0");
    assertThatThrownBy(
            () -> ConfigFile.parse(Path.of("medlake.yaml"), "ingest:\n  memory-limit: lots\n"))
        .hasMessage("medlake.yaml: ingest.memory-limit must look like 2GB, not 'lots'");
  }

  @Test
  void holdKeysHaveDefaultsAndAreChecked() {
    assertThat(MedlakeConfig.defaults().ingest().hold()).isEqualTo(new HoldConfig(true, 0.5, 0.5));
    assertThat(
            ConfigFile.parse(
                    Path.of("medlake.yaml"), "ingest:\n  hold:\n    max-rejected-share: 0.8\n")
                .ingest()
                .hold())
        .isEqualTo(new HoldConfig(true, 0.8, 0.5));
    assertThat(
            ConfigFile.parse(
                    Path.of("medlake.yaml"),
                    "ingest:\n  hold:\n    enabled: false\n    min-kept-share: 0\n")
                .ingest()
                .hold())
        .isEqualTo(new HoldConfig(false, 0.5, 0));
    assertThatThrownBy(
            () ->
                ConfigFile.parse(
                    Path.of("medlake.yaml"), "ingest:\n  hold:\n    max-reject-share: 0.8\n"))
        .hasMessageStartingWith("medlake.yaml: unknown key 'ingest.hold.max-reject-share' (line 3)")
        .hasMessageContaining("max-rejected-share");
    assertThatThrownBy(
            () ->
                ConfigFile.parse(
                    Path.of("medlake.yaml"), "ingest:\n  hold:\n    min-kept-share: 50\n"))
        .hasMessage(
            "medlake.yaml: ingest.hold.min-kept-share must be a share between 0 and 1 (0.5 is 50 %), not 50.0");
  }

  @Test
  void distributedProfileKeys() {
    MedlakeConfig config =
        ConfigFile.parse(
            Path.of("medlake.yaml"),
            """
        catalog:
          warehouse: s3://lake/warehouse
          jdbc-url: jdbc:postgresql://db:5432/medlake
          jdbc-user: medlake
          s3:
            endpoint: http://127.0.0.1:9000
            path-style-access: true
            region: eu-central-1
        query:
          file-cache-size: 2GB
          engine: jdbc
          jdbc:
            url: jdbc:trino://trino:8080/iceberg/medlake
            user: reader
        platform:
          jdbc-url: jdbc:postgresql://db:5432/platform
          jdbc-user: medlake
        """);
    assertThat(config.platform())
        .isEqualTo(
            new PlatformConfig(
                java.util.Optional.of("jdbc:postgresql://db:5432/platform"),
                java.util.Optional.of("medlake")));
    assertThat(config.platform().postgres()).isTrue();
    assertThat(MedlakeConfig.defaults().platform().postgres()).isFalse();
    assertThat(config.catalog().warehouse()).contains("s3://lake/warehouse");
    assertThat(config.catalog().s3Warehouse()).isTrue();
    assertThat(config.catalog().jdbcUrl()).contains("jdbc:postgresql://db:5432/medlake");
    assertThat(config.catalog().jdbcUser()).contains("medlake");
    assertThat(config.catalog().s3())
        .isEqualTo(
            new S3Config(
                java.util.Optional.of("http://127.0.0.1:9000"),
                true,
                java.util.Optional.of("eu-central-1")));
    assertThat(config.query().fileCacheBytes()).isEqualTo(2_000_000_000L);
    assertThat(config.query().engine())
        .isEqualTo(
            new QueryEngineConfig(
                QueryEngineConfig.Kind.JDBC,
                java.util.Optional.of("jdbc:trino://trino:8080/iceberg/medlake"),
                java.util.Optional.of("reader")));
    assertThat(MedlakeConfig.defaults().query().engine().kind())
        .isEqualTo(QueryEngineConfig.Kind.EMBEDDED);
    assertThat(MedlakeConfig.defaults().catalog().s3Warehouse()).isFalse();
    assertThat(MedlakeConfig.defaults().catalog().jdbcUrl()).isEmpty();
  }

  @Test
  void landingLocationIsTheHomesLandingUnlessAnObjectStorePrefix() {
    assertThat(MedlakeConfig.defaults().ingest().landingLocation()).isEmpty();
    assertThat(
            ConfigFile.parse(
                    Path.of("medlake.yaml"), "ingest:\n  landing-location: s3://landing/in/\n")
                .ingest()
                .landingLocation())
        .contains("s3://landing/in");
    assertThatThrownBy(
            () ->
                ConfigFile.parse(
                    Path.of("medlake.yaml"), "ingest:\n  landing-location: /srv/landing\n"))
        .isInstanceOf(ValidationException.class)
        .hasMessage(
            "medlake.yaml: ingest.landing-location must be an s3://bucket/prefix location, not"
                + " '/srv/landing' (leave it unset for the home's landing/)");
  }

  @Test
  void watchQueueKeys() {
    WatchConfig watch =
        ConfigFile.parse(
                Path.of("medlake.yaml"),
                """
        watch:
          queue-url: http://127.0.0.1:9324/000000000000/landing
          queue-endpoint: http://127.0.0.1:9324
          queue-region: eu-central-1
        """)
            .watch();
    assertThat(watch)
        .isEqualTo(
            new WatchConfig(
                false,
                10,
                60,
                java.util.Optional.of("http://127.0.0.1:9324/000000000000/landing"),
                java.util.Optional.of("http://127.0.0.1:9324"),
                java.util.Optional.of("eu-central-1")));
    assertThat(MedlakeConfig.defaults().watch().queueUrl()).isEmpty();
    assertThatThrownBy(
            () ->
                ConfigFile.parse(Path.of("medlake.yaml"), "watch:\n  queue-url: landing-events\n"))
        .hasMessage(
            "medlake.yaml: watch.queue-url must be an http:// or https:// URL, not 'landing-events'");
  }

  @Test
  void distributedProfileErrorsNameTheKey() {
    assertThatThrownBy(
            () -> ConfigFile.parse(Path.of("medlake.yaml"), "catalog:\n  s3:\n    secret-key: x\n"))
        .hasMessageStartingWith("medlake.yaml: unknown key 'catalog.s3.secret-key' (line 3)");
    assertThatThrownBy(
            () ->
                ConfigFile.parse(Path.of("medlake.yaml"), "catalog:\n  warehouse: gs://bucket/x\n"))
        .hasMessage(
            "medlake.yaml: catalog.warehouse must be a local directory or s3://bucket/prefix, not 'gs://bucket/x'");
    assertThatThrownBy(
            () ->
                ConfigFile.parse(
                    Path.of("medlake.yaml"), "catalog:\n  jdbc-url: jdbc:mysql://db/x\n"))
        .hasMessage(
            "medlake.yaml: catalog.jdbc-url must start with jdbc:postgresql: or jdbc:sqlite:, not 'jdbc:mysql://db/x'");
    assertThatThrownBy(() -> ConfigFile.parse(Path.of("medlake.yaml"), "query:\n  engine: spark\n"))
        .hasMessage("medlake.yaml: query.engine must be one of embedded, jdbc, not 'spark'");
    assertThatThrownBy(() -> ConfigFile.parse(Path.of("medlake.yaml"), "query:\n  engine: jdbc\n"))
        .hasMessage("medlake.yaml: query.engine is jdbc but query.jdbc.url is not set");
    assertThatThrownBy(
            () -> ConfigFile.parse(Path.of("medlake.yaml"), "query:\n  jdbc:\n    password: x\n"))
        .hasMessageStartingWith("medlake.yaml: unknown key 'query.jdbc.password' (line 3)");
    assertThatThrownBy(
            () ->
                ConfigFile.parse(
                    Path.of("medlake.yaml"), "platform:\n  jdbc-url: jdbc:sqlite:x.db\n"))
        .hasMessage(
            "medlake.yaml: platform.jdbc-url must start with jdbc:postgresql:, not 'jdbc:sqlite:x.db'");
    assertThatThrownBy(
            () -> ConfigFile.parse(Path.of("medlake.yaml"), "platform:\n  password: x\n"))
        .hasMessageStartingWith("medlake.yaml: unknown key 'platform.password' (line 2)");
    assertThatThrownBy(
            () ->
                ConfigFile.parse(
                    Path.of("medlake.yaml"), "catalog:\n  s3:\n    endpoint: minio:9000\n"))
        .hasMessage(
            "medlake.yaml: catalog.s3.endpoint must be an http:// or https:// URL, not 'minio:9000'");
  }

  @Test
  void glueCatalog() {
    CatalogConfig glue =
        ConfigFile.parse(
                Path.of("medlake.yaml"),
                """
                catalog:
                  type: glue
                  warehouse: s3://lake/warehouse
                  glue-endpoint: https://glue.eu-central-1.amazonaws.com
                """)
            .catalog();
    assertThat(glue.glue()).isTrue();
    assertThat(glue.glueEndpoint()).contains("https://glue.eu-central-1.amazonaws.com");
    assertThat(MedlakeConfig.defaults().catalog().type()).isEqualTo(CatalogConfig.Type.JDBC);
    assertThat(
            ConfigFile.parse(Path.of("medlake.yaml"), "catalog:\n  type: JDBC\n").catalog().glue())
        .isFalse();

    assertThatThrownBy(() -> ConfigFile.parse(Path.of("medlake.yaml"), "catalog:\n  type: hive\n"))
        .hasMessage("medlake.yaml: catalog.type must be jdbc or glue, not 'hive'");
    assertThatThrownBy(() -> ConfigFile.parse(Path.of("medlake.yaml"), "catalog:\n  type: glue\n"))
        .hasMessage(
            "medlake.yaml: catalog.type glue needs catalog.warehouse in S3 (s3://bucket/prefix), not"
                + " the home's warehouse/");
    assertThatThrownBy(
            () ->
                ConfigFile.parse(
                    Path.of("medlake.yaml"), "catalog:\n  type: glue\n  warehouse: /data/lake\n"))
        .hasMessage(
            "medlake.yaml: catalog.type glue needs catalog.warehouse in S3 (s3://bucket/prefix), not"
                + " '/data/lake'");
    assertThatThrownBy(
            () ->
                ConfigFile.parse(
                    Path.of("medlake.yaml"),
                    "catalog:\n  type: glue\n  warehouse: s3://lake/w\n"
                        + "  jdbc-url: jdbc:postgresql://db/medlake\n"))
        .hasMessage(
            "medlake.yaml: catalog.type glue keeps the tables in Glue: remove catalog.jdbc-url and"
                + " catalog.jdbc-user, which only catalog.type jdbc uses");
    assertThatThrownBy(
            () ->
                ConfigFile.parse(
                    Path.of("medlake.yaml"), "catalog:\n  glue-endpoint: https://glue.example\n"))
        .hasMessage(
            "medlake.yaml: catalog.glue-endpoint is set but catalog.type is jdbc: set catalog.type:"
                + " glue or remove it");
    assertThatThrownBy(
            () ->
                ConfigFile.parse(
                    Path.of("medlake.yaml"),
                    "catalog:\n  type: glue\n  warehouse: s3://lake/w\n  glue-endpoint: glue:443\n"))
        .hasMessage(
            "medlake.yaml: catalog.glue-endpoint must be an http:// or https:// URL, not 'glue:443'");
  }
}
