package dev.ledger.functions.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.ledger.Ledger;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.store.DynamoEventStore;
import dev.ledger.store.EventsTableSchema;
import dev.ledger.store.MutableClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** The command service against the DynamoDB store: a lost append race is decided again from a fresh read. */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CommandServiceIT {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T09:00:00Z"));
    private DynamoEventStore store;
    private CommandService commands;

    @BeforeAll
    void createTable(AwsClients aws, TestNames names) {
        String table = names.table("events");
        EventsTableSchema.create(aws.dynamoDb(), table);
        store = new DynamoEventStore(aws.dynamoDb(), table);
        commands = new CommandService(store, clock, RetryPolicy.standard(new SplittableRandom(1)));
        run(ledger -> ledger.openAccount(new OpenAccount("bank", EUR, OverdraftLimit.UNLIMITED)));
    }

    @Test
    void aCommandThatLosesAnAppendRaceIsRetriedFromAFreshReadAndTheObserverIsTold() {
        run(ledger -> ledger.openAccount(new OpenAccount("contested", EUR, OverdraftLimit.NONE)));
        List<String> conflicts = new ArrayList<>();
        CommandService observed = new CommandService(store, clock, RetryPolicy.standard(new SplittableRandom(2)),
                (correlationId, attempt) -> conflicts.add(correlationId + "#" + attempt));
        int[] attempts = {0};

        CommandService.Committed done = observed.execute("c-raced", ledger -> {
            LedgerResult decided = ledger.transfer("raced", TransferRequest.posted("bank", "contested", Money.parse("1.00", EUR)));
            if (++attempts[0] == 1) {
                // Another writer appends to the same account between this attempt's read and its commit.
                run(other -> other.transfer("interloper", TransferRequest.posted("bank", "contested", Money.parse("5.00", EUR))));
            }
            return decided;
        });

        assertThat(done.result().isRejected()).isFalse();
        assertThat(attempts[0]).isEqualTo(2);
        assertThat(conflicts).containsExactly("c-raced#1");
        assertThat(store.readHead(StreamId.account("contested")).orElseThrow().version()).isEqualTo(3);
    }

    private CommandService.Committed run(Function<Ledger, LedgerResult> command) {
        CommandService.Committed done = commands.execute("test", command);
        assertThat(done.result().isRejected()).as("%s", done.result().rejection()).isFalse();
        return done;
    }
}
