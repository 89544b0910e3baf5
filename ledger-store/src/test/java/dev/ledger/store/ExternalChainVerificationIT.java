package dev.ledger.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hash chain is checkable without this project: the documented Python verifier, given the
 * events as exported, agrees with the ledger, and finds an altered event.
 */
@ExtendWith(LocalAwsExtension.class)
class ExternalChainVerificationIT {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private static final Path VERIFIER = Path.of("..", "docs", "verify_chain.py");

    @Test
    void theDocumentedVerifierRecomputesTheChainAndFindsATamperedEvent(AwsClients aws, TestNames names,
                                                                      @TempDir Path dir) throws Exception {
        String table = names.table("events");
        EventsTableSchema.create(aws.dynamoDb(), table);
        DynamoEventStore store = new DynamoEventStore(aws.dynamoDb(), table);
        LedgerWriter commands = new LedgerWriter(store, new MutableClock(Instant.parse("2026-07-01T10:00:00Z")));
        commands.execute("c-1", l -> l.openAccount(new OpenAccount("bank", EUR, OverdraftLimit.UNLIMITED)));
        commands.execute("c-2", l -> l.openAccount(new OpenAccount("z\u00fcrich-1", EUR, OverdraftLimit.NONE)));
        commands.execute("c-3", l -> l.transfer("t-1", new TransferRequest("bank", "z\u00fcrich-1",
                Money.parse("12.30", EUR), false, 0, new TreeMap<>(java.util.Map.of("note", "caf\u00e9 \u20ac")))));
        commands.execute("c-4", l -> l.transfer("t-2", TransferRequest.pending("bank", "z\u00fcrich-1",
                Money.parse("1.00", EUR), 60)));

        List<String> lines = new ArrayList<>();
        for (StreamId stream : List.of(StreamId.account("bank"), StreamId.account("z\u00fcrich-1"),
                StreamId.transfer("t-1"), StreamId.transfer("t-2"))) {
            store.readStream(stream, 1).forEachRemaining(event -> lines.add(event.toJsonLine()));
        }
        Path export = dir.resolve("events.jsonl");
        Files.write(export, lines, StandardCharsets.UTF_8);

        Verifier intact = verify(export);
        assertThat(intact.exitCode()).as(intact.output()).isZero();
        assertThat(intact.output()).contains("account:bank ok 3 events", "account:z\u00fcrich-1 ok 3 events",
                "transfer:t-1 ok 1 events");

        Files.writeString(export, Files.readString(export, StandardCharsets.UTF_8).replace("12.30", "99.30"),
                StandardCharsets.UTF_8);
        Verifier tampered = verify(export);
        assertThat(tampered.exitCode()).isEqualTo(1);
        assertThat(tampered.output()).contains("account:bank BROKEN at version 2",
                "account:z\u00fcrich-1 BROKEN at version 2", "transfer:t-1 BROKEN at version 1");
    }

    private record Verifier(int exitCode, String output) {
    }

    private static Verifier verify(Path export) throws IOException, InterruptedException {
        String python = System.getenv().getOrDefault("LEDGER_PYTHON", "python3");
        Process process = new ProcessBuilder(python, VERIFIER.toString()).redirectInput(export.toFile())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Verifier(process.exitValue(), output);
    }
}
