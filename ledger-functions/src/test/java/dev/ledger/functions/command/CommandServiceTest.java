package dev.ledger.functions.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.store.ConcurrentAppendException;
import dev.ledger.store.InMemoryEventStore;
import dev.ledger.store.StoredEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The command service's loop of load, decide, append and retry, on the in-memory log: no emulator, no waiting. */
class CommandServiceTest {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private static final int ATTEMPTS = 3;

    private final Clock clock = Clock.fixed(Instant.parse("2026-03-01T09:00:00Z"), ZoneOffset.UTC);
    private final InMemoryEventStore log = new InMemoryEventStore();
    private final List<String> conflicts = new ArrayList<>();
    private final CommandService commands = new CommandService(log, clock,
            new RetryPolicy(ATTEMPTS, Duration.ZERO, new SplittableRandom(1)),
            (correlationId, attempt) -> conflicts.add(correlationId + "#" + attempt));
    /** Another writer, appending to the same log between a command's read and its append. */
    private final CommandService other = new CommandService(log, clock,
            new RetryPolicy(1, Duration.ZERO, new SplittableRandom(2)));

    @BeforeEach
    void openAccounts() {
        other.execute("open-bank", ledger -> ledger.openAccount(new OpenAccount("bank", EUR, OverdraftLimit.UNLIMITED)));
        other.execute("open-alice", ledger -> ledger.openAccount(new OpenAccount("alice", EUR, OverdraftLimit.NONE)));
    }

    @Test
    void aCommandThatLosesAnAppendRaceIsDecidedAgainFromAFreshRead() {
        // given another writer that deposits to alice while the first attempt is deciding
        int[] attempts = {0};

        // when
        CommandService.Committed done = commands.execute("c-raced", ledger -> {
            LedgerResult decided = ledger.transfer("raced", TransferRequest.posted("bank", "alice", eur("1.00")));
            if (++attempts[0] == 1) {
                interlope(attempts[0]);
            }
            return decided;
        });

        // then the second attempt decided on the deposit, and only the loss was reported
        assertThat(done.result().isRejected()).isFalse();
        assertThat(attempts[0]).isEqualTo(2);
        assertThat(conflicts).containsExactly("c-raced#1");
        assertThat(done.events()).extracting(event -> event.stream() + "@" + event.version())
                .containsExactly("transfer:raced@1", "account:bank@3", "account:alice@3");
        assertThat(log.readHead(StreamId.account("alice")).orElseThrow().version()).isEqualTo(3);
    }

    @Test
    void aRefusalIsReturnedAsTheCommandsResultAndRecordedInTheTransfersStream() {
        // when alice pays more than she has
        CommandService.Committed done = commands.execute("c-refused",
                ledger -> ledger.transfer("too-much", TransferRequest.posted("alice", "bank", eur("10.00"))));

        // then it is a value, not an exception, and nothing else moved
        assertThat(done.result().rejection().code()).isEqualTo(RejectionCode.INSUFFICIENT_FUNDS);
        assertThat(done.events()).extracting(StoredEvent::type).containsExactly("TransferRejected");
        assertThat(log.readHead(StreamId.account("alice")).orElseThrow().version()).isEqualTo(1);
        assertThat(conflicts).isEmpty();
    }

    @Test
    void aCommandThatLosesEveryRaceGivesUpWithAConcurrentModification() {
        // given another writer that gets in before every attempt's append
        int[] attempts = {0};

        // when / then
        assertThatThrownBy(() -> commands.execute("c-starved", ledger -> {
            LedgerResult decided = ledger.transfer("starved", TransferRequest.posted("bank", "alice", eur("1.00")));
            interlope(++attempts[0]);
            return decided;
        })).isInstanceOf(ConcurrentModificationException.class)
                .hasMessageContaining("lost " + ATTEMPTS + " races")
                .hasCauseInstanceOf(ConcurrentAppendException.class);
        assertThat(attempts[0]).isEqualTo(ATTEMPTS);
        assertThat(conflicts).containsExactly("c-starved#1", "c-starved#2", "c-starved#3");
        assertThat(log.readHead(StreamId.transfer("starved"))).isEmpty();
    }

    private void interlope(int attempt) {
        other.execute("interloper-" + attempt, ledger -> ledger.transfer("interloper-" + attempt,
                TransferRequest.posted("bank", "alice", eur("5.00"))));
    }

    private static Money eur(String amount) {
        return Money.parse(amount, EUR);
    }
}
