package dev.ledger.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ledger.projections.ProjectionCatalog;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TargetTest {

    @TempDir
    Path dir;

    @Test
    void tableNamesAndEndpointComeFromARunningLocalStacksStateFile() throws IOException {
        Path file = stateFile(ProcessHandle.current().pid());

        Target target = parse("--state-file", file.toString());

        assertThat(target.endpointUri()).contains(URI.create("http://127.0.0.1:5055"));
        assertThat(target.events()).isEqualTo("ledger-events");
        assertThat(target.deployed(ProjectionCatalog.BALANCES)).isEqualTo("ledger-balances");
        assertThat(target.control()).isEqualTo("ledger-events-replay");
    }

    @Test
    void optionsWinOverTheStateFile() throws IOException {
        Path file = stateFile(ProcessHandle.current().pid());

        Target target = parse("--state-file", file.toString(), "--events-table", "other",
                "--endpoint", "http://localhost:9999");

        assertThat(target.events()).isEqualTo("other");
        assertThat(target.endpointUri()).contains(URI.create("http://localhost:9999"));
    }

    @Test
    void aStateFileOfAStoppedStackIsRefusedWithWhatToDo() throws IOException {
        Path file = stateFile(Long.MAX_VALUE);

        Target target = parse("--state-file", file.toString());

        assertThatThrownBy(target::events).isInstanceOf(Target.ConfigurationException.class)
                .hasMessageContaining("is stale");
    }

    @Test
    void aMissingTableNameSaysWhichOptionGivesIt() {
        Target target = parse("--state-file", dir.resolve("absent.json").toString());

        assertThatThrownBy(() -> target.deployed(ProjectionCatalog.HISTORY)).hasMessageContaining("--history-table");
    }

    private Path stateFile(long pid) throws IOException {
        Path file = dir.resolve("local.json");
        Files.writeString(file, """
                {"pid": %d, "emulatorEndpoint": "http://127.0.0.1:5055", "region": "us-east-1",
                 "outputs": {"EventsTableName": "ledger-events", "BalancesTableName": "ledger-balances"}}
                """.formatted(pid));
        return file;
    }

    private static Target parse(String... args) {
        Holder holder = new Holder();
        new CommandLine(holder).parseArgs(args);
        return holder.target;
    }

    @CommandLine.Command(name = "t")
    static final class Holder {
        @CommandLine.Mixin
        Target target;
    }
}
