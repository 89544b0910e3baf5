package dev.ledger.infra.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class StackLogTest {

    @TempDir
    Path dir;

    @Test
    void counts_the_command_handler_s_append_conflict_lines_and_nothing_else() throws IOException {
        Path log = dir.resolve("demo-local.log");
        Files.writeString(log, String.join("\n",
                "Starting the local stack (emulator, template, handlers)...",
                "{\"ts\":\"2026-11-29T20:00:00Z\",\"level\":\"WARN\",\"event\":\"append_conflict\",\"correlationId\":\"a\","
                        + "\"attempt\":1,\"appendConflicts\":1}",
                "{\"ts\":\"2026-11-29T20:00:00Z\",\"level\":\"INFO\",\"route\":\"POST /transfers\",\"status\":201}",
                "{\"ts\":\"2026-11-29T20:00:01Z\",\"level\":\"WARN\",\"event\":\"append_conflict\",\"correlationId\":\"a\","
                        + "\"attempt\":2,\"appendConflicts\":1}",
                "not UTF-8: \u00ff") + "\n", StandardCharsets.ISO_8859_1);

        assertThat(StackLog.appendConflicts(log)).isEqualTo(2);
    }

    @Test
    void each_conflict_line_counts_for_the_transfer_or_transaction_whose_request_has_its_correlation_id() throws IOException {
        Path log = dir.resolve("demo-local.log");
        Files.writeString(log, String.join("\n",
                "{\"level\":\"WARN\",\"event\":\"append_conflict\",\"correlationId\":\"a\",\"attempt\":1}",
                "{\"level\":\"WARN\",\"event\":\"append_conflict\",\"correlationId\":\"b\",\"attempt\":1}",
                "{\"level\":\"WARN\",\"event\":\"append_conflict\",\"correlationId\":\"a\",\"attempt\":2}",
                "{\"route\":\"POST /transfers\",\"status\":201,\"transferId\":\"t1\",\"correlationId\":\"a\"}",
                "{\"route\":\"POST /transactions\",\"status\":201,\"transactionId\":\"x2\",\"correlationId\":\"b\"}",
                "{\"level\":\"WARN\",\"event\":\"append_conflict\",\"correlationId\":\"c\",\"attempt\":1}",
                "{\"route\":\"POST /batches\",\"status\":201,\"correlationId\":\"c\"}") + "\n");

        assertThat(StackLog.appendConflictsByRecord(log)).containsOnly(entry("t1", 2L), entry("x2", 1L));
    }

    @Test
    void a_log_not_written_yet_has_none() {
        assertThat(StackLog.appendConflicts(dir.resolve("missing.log"))).isZero();
    }
}
