package dev.ledger.functions.sweeper;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.ledger.Ledger;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.domain.transfer.TransferStatus;
import dev.ledger.functions.command.CommandService;
import dev.ledger.functions.command.RetryPolicy;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.store.DynamoEventStore;
import dev.ledger.store.EventsTableSchema;
import dev.ledger.store.MutableClock;
import dev.ledger.store.PendingHolds;
import dev.ledger.store.StateCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The sweeper finds overdue holds through the pending-holds index and records their expiry. */
@ExtendWith(LocalAwsExtension.class)
class HoldExpirySweeperIT {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T09:00:00Z"));
    private DynamoEventStore store;
    private CommandService commands;
    private HoldExpirySweeper sweeper;

    @Test
    void theSweeperRecordsTheExpiryOfOverdueHoldsOnly(AwsClients aws, TestNames names) {
        String table = names.table("events");
        EventsTableSchema.create(aws.dynamoDb(), table);
        store = new DynamoEventStore(aws.dynamoDb(), table);
        commands = new CommandService(store, clock, RetryPolicy.standard(new SplittableRandom(1)));
        sweeper = new HoldExpirySweeper(new PendingHolds(aws.dynamoDb(), table), commands);
        run(ledger -> ledger.openAccount(new OpenAccount("bank", EUR, OverdraftLimit.UNLIMITED)));
        run(ledger -> ledger.openAccount(new OpenAccount("frank", EUR, OverdraftLimit.NONE)));
        run(ledger -> ledger.transfer("hold-soon", TransferRequest.pending("bank", "frank", Money.parse("5.00", EUR), 30)));
        run(ledger -> ledger.transfer("hold-later", TransferRequest.pending("bank", "frank", Money.parse("7.00", EUR), 3600)));
        clock.advance(Duration.ofSeconds(31));

        int expired = sweeper.sweep("test-sweep");

        assertThat(expired).isEqualTo(1);
        assertThat(StateCodec.decodeTransfer(store.readHead(StreamId.transfer("hold-soon")).orElseThrow().state())
                .status()).isEqualTo(TransferStatus.EXPIRED);
        AccountState frank = StateCodec.decodeAccount(store.readHead(StreamId.account("frank")).orElseThrow().state());
        assertThat(frank.creditsPending()).isEqualTo(700);
        assertThat(sweeper.sweep("again")).isZero();
    }

    private void run(Function<Ledger, LedgerResult> command) {
        assertThat(commands.execute("test", command).result().isRejected()).isFalse();
    }
}
