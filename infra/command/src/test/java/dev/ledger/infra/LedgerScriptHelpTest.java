package dev.ledger.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./ledger <command> --help} never starts a build. The script runs from a copy of the
 * repository's root (the script and the parent POM) with {@code mvn} and {@code java} on the PATH
 * replaced by stubs that record their calls: with nothing built it prints its own lines for the
 * command; with jars built (here: stand-ins, older than the sources) it runs them as they are.
 */
class LedgerScriptHelpTest {

    private static final List<List<String>> HELP = List.of(
            List.of("local", "--help"), List.of("local", "--port", "9", "-h"), List.of("demo", "--help"),
            List.of("deploy", "--help"), List.of("deploy", "--stage", "prod", "-h"), List.of("replay", "--help"),
            List.of("replay", "state", "--help"), List.of("replay", "export", "-h"), List.of("replay", "help", "state"));

    @TempDir
    Path root;
    @TempDir
    Path stubs;

    @BeforeEach
    void aCopyOfTheRepositoryRootWithStubbedTools() throws IOException {
        Path repository = Path.of("..", "..").toAbsolutePath().normalize();
        Files.copy(repository.resolve("ledger"), root.resolve("ledger"));
        Files.copy(repository.resolve("pom.xml"), root.resolve("pom.xml"));
        stub("mvn", "echo \"mvn $*\" >> '" + stubs.resolve("mvn.calls") + "'; exit 1");
        stub("java", "echo \"java $*\" >> '" + stubs.resolve("java.calls") + "'; echo \"java stub: $*\"; exit 0");
    }

    @Test
    void withNothingBuiltHelpPrintsTheScriptsOwnLinesWithoutMaven() throws Exception {
        for (List<String> args : HELP) {
            Run run = ledger(args);

            assertThat(run.code()).as(args + ": " + run.output()).isZero();
            assertThat(run.output()).as(args.toString()).contains("Usage: ./ledger " + args.get(0))
                    .containsPattern("(?m)^  " + args.get(0) + " ").contains("never starts a build");
            assertThat(calls("mvn")).as(args + " must not run Maven").isEmpty();
            assertThat(calls("java")).as(args.toString()).isEmpty();
        }
    }

    @Test
    void withJarsBuiltFromOlderSourcesHelpRunsThemAsTheyAreWithoutMaven() throws Exception {
        for (String jar : List.of("infra/command/target/lib/infra-local-0.1.0-SNAPSHOT.jar",
                "replay-tool/target/replay-tool-0.1.0-SNAPSHOT.jar")) {
            Files.createDirectories(root.resolve(jar).getParent().resolve("lib"));
            Files.writeString(root.resolve(jar), "a stand-in");
        }
        Files.createDirectories(root.resolve("replay-tool/src"));
        Files.createDirectories(root.resolve("infra/local/src"));
        Files.writeString(root.resolve("replay-tool/src/Newer.java"), "newer than the jar");
        Files.writeString(root.resolve("infra/local/src/Newer.java"), "newer than the jar");
        root.resolve("replay-tool/target/replay-tool-0.1.0-SNAPSHOT.jar").toFile()
                .setLastModified(System.currentTimeMillis() - 60_000);

        for (List<String> args : HELP) {
            Run run = ledger(args);

            assertThat(run.code()).as(args + ": " + run.output()).isZero();
            assertThat(calls("mvn")).as(args + " must not run Maven").isEmpty();
            List<String> java = calls("java");
            assertThat(java).as(args.toString()).hasSize(1);
            // The jar's own help: the arguments as given (deploy asks for --help alone).
            assertThat(java.get(0)).endsWith(args.get(0).equals("deploy") ? "--help" : args.get(args.size() - 1));
            Files.deleteIfExists(stubs.resolve("java.calls"));
        }
        assertThat(ledgerCalls(List.of("deploy", "--help"))).contains("dev.ledger.infra.deploy.DeployMain --help");
    }

    @Test
    void withoutHelpTheScriptStillBuildsWhatIsMissing() throws Exception {
        Run run = ledger(List.of("replay", "verify"));

        assertThat(run.code()).as(run.output()).isNotZero();
        assertThat(calls("mvn")).as("the stub stands in for Maven").hasSize(1);
    }

    private String ledgerCalls(List<String> args) throws Exception {
        ledger(args);
        return String.join("\n", calls("java"));
    }

    private record Run(int code, String output) {
    }

    private Run ledger(List<String> args) throws IOException, InterruptedException {
        Files.deleteIfExists(stubs.resolve("mvn.calls"));
        List<String> command = new ArrayList<>(List.of("bash", root.resolve("ledger").toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true);
        Map<String, String> environment = builder.environment();
        environment.put("PATH", stubs + ":/usr/local/bin:/usr/bin:/bin");
        environment.remove("LEDGER_SKIP_BUILD");
        environment.remove("LEDGER_AWS_ENDPOINT");
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), output);
    }

    private List<String> calls(String tool) throws IOException {
        Path file = stubs.resolve(tool + ".calls");
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }

    private void stub(String name, String body) throws IOException {
        Path file = stubs.resolve(name);
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
