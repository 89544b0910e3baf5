package dev.ledger.localaws;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where moto's output goes: a named directory when the ledger script names one, not the caller's cwd. */
class MotoServerLogDirectoryTest {

    @Test
    void theDirectoryNamedByTheEnvironmentIsUsedAndCreated(@TempDir Path dir) {
        Path named = dir.resolve(".ledger").resolve("moto-logs");

        Path used = MotoServer.logDirectory(Map.of(MotoServer.LOG_DIR_ENV, named.toString()));

        assertThat(used).isEqualTo(named);
        assertThat(Files.isDirectory(named)).isTrue();
    }

    @Test
    void withoutItAModuleRunKeepsItsLogsInTarget() {
        // Tests run in the module directory, which has target/.
        assertThat(MotoServer.logDirectory(Map.of())).isEqualTo(Path.of("target", "moto-logs"));
    }
}
