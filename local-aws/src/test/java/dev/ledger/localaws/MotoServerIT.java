package dev.ledger.localaws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MotoServerIT {

    @Test
    void the_launcher_serves_aws_until_closed_and_then_leaves_no_process_behind() throws IOException {
        MotoServer server = MotoServer.start();
        ProcessHandle process = ProcessHandle.of(server.pid()).orElseThrow();
        try (server; AwsClients aws = AwsClients.forEndpoint(server.endpoint())) {
            assertThat(aws.dynamoDb().listTables().tableNames()).isEmpty();
        }

        assertThat(process.isAlive()).isFalse();
        assertThat(Files.readString(server.logFile())).contains("moto_launcher: moto 5.2.1, DynamoDB fixes installed");
    }

    @Test
    void plain_moto_runs_without_the_launcher() throws IOException {
        try (MotoServer server = MotoServer.startPlain(); AwsClients aws = AwsClients.forEndpoint(server.endpoint())) {
            assertThat(server.variant()).isEqualTo(MotoServer.Variant.PLAIN);
            assertThat(aws.sqs().listQueues().queueUrls()).isEmpty();
            assertThat(Files.readString(server.logFile())).doesNotContain("moto_launcher");
        }
    }

    @Test
    void on_a_moto_version_it_does_not_know_the_launcher_warns_and_runs_plain_moto(@TempDir Path directory)
            throws IOException {
        // The real moto, made to report another version before the launcher looks at it.
        Path pythonWithOtherMoto = executable(directory.resolve("python-with-other-moto"),
                "exec " + python() + " -c 'import moto, runpy, sys; moto.__version__ = \"5.0.0\"; sys.argv = sys.argv[1:];"
                        + " runpy.run_path(sys.argv[0], run_name=\"__main__\")' \"$@\"");

        try (MotoServer server = MotoServer.start(MotoServer.Variant.LAUNCHER, pythonWithOtherMoto.toString());
                AwsClients aws = AwsClients.forEndpoint(server.endpoint())) {
            assertThat(aws.dynamoDb().listTables().tableNames()).isEmpty();
            assertThat(Files.readString(server.logFile()))
                    .contains("WARNING: moto 5.0.0 is not 5.2.1")
                    .doesNotContain("fixes installed");
        }
    }

    @Test
    void without_moto_the_error_says_how_to_install_it(@TempDir Path directory) throws IOException {
        // A real interpreter that cannot see site-packages, hence no moto: python3 -S.
        Path pythonWithoutMoto = executable(directory.resolve("python-without-moto"), "exec " + python() + " -S \"$@\"");

        for (MotoServer.Variant variant : MotoServer.Variant.values()) {
            assertThatThrownBy(() -> MotoServer.start(variant, pythonWithoutMoto.toString()))
                    .as(variant.name())
                    .hasMessageContaining("moto is not installed")
                    .hasMessageContaining("pip install 'moto[server]==5.2.1'");
        }
    }

    @Test
    void a_missing_interpreter_is_reported_with_the_same_advice() {
        assertThatThrownBy(() -> MotoServer.start(MotoServer.Variant.LAUNCHER, "/nonexistent/python3"))
                .hasMessageContaining("/nonexistent/python3")
                .hasMessageContaining("pip install 'moto[server]==5.2.1'")
                .hasMessageContaining("LEDGER_PYTHON");
    }

    private static String python() {
        return System.getenv().getOrDefault(MotoServer.PYTHON_ENV, "python3");
    }

    private static Path executable(Path file, String shellLine) throws IOException {
        Files.writeString(file, "#!/bin/sh\n" + shellLine + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }
}
