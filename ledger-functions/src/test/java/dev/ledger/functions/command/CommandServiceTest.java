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

/**
 * The command service's loop of load, decide, append and retry, on the in-memory log: no emulator, and
 * no waiting, since the retries' time is a {@link FakeTicker} that moves only when they pause.
 */
class CommandServiceTest {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private static final Duration BUDGET = RetryPolicy.DEFAULT_BUDGET;

    private final Clock clock = Clock.fixed(Instant.parse("2026-03-01T09:00:00Z"), ZoneOffset.UTC);
    private final InMemoryEventStore log = new InMemoryEventStore();
    private final List<String> conflicts = new ArrayList<>();
    private final FakeTicker time = new FakeTicker();
    private final CommandService commands = new CommandService(log, clock,
            RetryPolicy.standard(new SplittableRandom(1)).withTicker(time),
            (correlationId, attempt) -> conflicts.add(correlationId + "#" + attempt));
    /** Another writer, appending to the same log between a command's read and its append. */
    private final CommandService other = new CommandService(log, clock,
            RetryPolicy.standard(new SplittableRandom(2)).withTicker(new FakeTicker()));

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
    void aCommandThatLosesTwiceThenWinsCommitsAfterTwoPauses() {
        // given another writer that gets in before the first two attempts' appends
        int[] attempts = {0};

        // when
        CommandService.Committed done = commands.execute("c-third", ledger -> {
            LedgerResult decided = ledger.transfer("third", TransferRequest.posted("bank", "alice", eur("1.00")));
            if (++attempts[0] <= 2) {
                interlope(attempts[0]);
            }
            return decided;
        });

        // then the third attempt committed, on top of both interlopers
        assertThat(done.result().isRejected()).isFalse();
        assertThat(attempts[0]).isEqualTo(3);
        assertThat(conflicts).containsExactly("c-third#1", "c-third#2");
        assertThat(time.pauses()).hasSize(2);
        assertThat(log.readHead(StreamId.account("alice")).orElseThrow().version()).isEqualTo(4);
    }

    @Test
    void aCommandThatLosesEveryRaceRetriesUntilItsBudgetIsSpentThenGivesUp() {
        // given another writer that gets in before every attempt's append
        int[] attempts = {0};

        // when / then
        assertThatThrownBy(() -> commands.execute("c-starved", ledger -> {
            LedgerResult decided = ledger.transfer("starved", TransferRequest.posted("bank", "alice", eur("1.00")));
            interlope(++attempts[0]);
            return decided;
        })).isInstanceOfSatisfying(ConcurrentModificationException.class, gaveUp -> {
            assertThat(gaveUp.attempts()).as("attempts reported").isEqualTo(attempts[0]);
            assertThat(gaveUp.spent()).isEqualTo(BUDGET);
            assertThat(gaveUp).hasMessageContaining("lost " + attempts[0] + " races")
                    .hasCauseInstanceOf(ConcurrentAppendException.class);
        });

        // the attempts are not a fixed count: pauses of at most 100 ms filled the whole budget, the last
        // one ending where the budget does
        assertThat(time.paused()).isEqualTo(BUDGET);
        assertThat(time.pauses()).hasSize(attempts[0] - 1)
                .allSatisfy(pause -> assertThat(pause).isLessThanOrEqualTo(Duration.ofMillis(100)));
        assertThat(attempts[0]).isGreaterThan((int) (BUDGET.toMillis() / 100));
        assertThat(conflicts).hasSize(attempts[0]).startsWith("c-starved#1", "c-starved#2")
                .endsWith("c-starved#" + attempts[0]);
        assertThat(log.readHead(StreamId.transfer("starved"))).isEmpty();
    }

    @Test
    void theTimeAttemptsTakeCountsAgainstTheBudget() {
        // given attempts that take 700 ms each (a slow table), and always lose
        int[] attempts = {0};

        // when / then: the third attempt ends past two seconds, so there is no fourth
        assertThatThrownBy(() -> commands.execute("c-slow", ledger -> {
            LedgerResult decided = ledger.transfer("slow", TransferRequest.posted("bank", "alice", eur("1.00")));
            time.advance(Duration.ofMillis(700));
            interlope(++attempts[0]);
            return decided;
        })).isInstanceOfSatisfying(ConcurrentModificationException.class,
                gaveUp -> assertThat(gaveUp.attempts()).isEqualTo(3));
        assertThat(attempts[0]).isEqualTo(3);
        assertThat(time.pauses()).hasSize(2);
    }

    @Test
    void withABudgetOfZeroTheFirstLostRaceIsTheAnswer() {
        CommandService impatient = new CommandService(log, clock,
                RetryPolicy.within(Duration.ZERO, new SplittableRandom(3)).withTicker(time));

        assertThatThrownBy(() -> impatient.execute("c-impatient", ledger -> {
            LedgerResult decided = ledger.transfer("impatient", TransferRequest.posted("bank", "alice", eur("1.00")));
            interlope(1);
            return decided;
        })).isInstanceOfSatisfying(ConcurrentModificationException.class,
                gaveUp -> assertThat(gaveUp.attempts()).isEqualTo(1));
        assertThat(time.pauses()).isEmpty();
    }

    private void interlope(int attempt) {
        other.execute("interloper-" + attempt, ledger -> ledger.transfer("interloper-" + attempt,
                TransferRequest.posted("bank", "alice", eur("5.00"))));
    }

    private static Money eur(String amount) {
        return Money.parse(amount, EUR);
    }
}
