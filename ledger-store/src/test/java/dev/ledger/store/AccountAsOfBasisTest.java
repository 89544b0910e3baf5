package dev.ledger.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.ledger.Ledger;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The as-of fold on either basis (issue 16), without I/O: an in-memory log where alice, opened twenty days
 * ago, gets a payment recorded now and dated ten days back, then one without a date.
 */
class AccountAsOfBasisTest {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private static final Instant OPENED = Instant.parse("2026-11-01T09:00:00Z");
    private static final Instant NOW = OPENED.plus(Duration.ofDays(20));
    private static final Instant DATED = NOW.minus(Duration.ofDays(10));

    private final InMemoryEventStore store = new InMemoryEventStore();
    private final MutableClock clock = new MutableClock(OPENED);

    AccountAsOfBasisTest() {
        execute("open-bank", l -> l.openAccount(new OpenAccount("bank", EUR, OverdraftLimit.UNLIMITED)));
        execute("open-alice", l -> l.openAccount(new OpenAccount("alice", EUR, OverdraftLimit.NONE)));
        clock.advance(Duration.between(OPENED, NOW));
        execute("dated", l -> l.transfer("dated", new TransferRequest("bank", "alice", eur("7.00"), false, 0, null,
                DATED)));
        clock.advance(Duration.ofSeconds(1));
        execute("undated", l -> l.transfer("undated", TransferRequest.posted("bank", "alice", eur("2.00"))));
    }

    /** One command as the command service's attempt runs it: decided in a session, appended at the clock's instant. */
    private void execute(String correlationId, Function<Ledger, LedgerResult> command) {
        StoreSession session = store.session();
        session.append(command.apply(new Ledger(session, clock, 1)), clock.instant(), correlationId);
    }

    @Test
    void a_dated_payment_counts_from_its_date_on_the_effective_basis_and_from_its_recording_on_the_recorded_one() {
        List<StoredEvent> log = alice();

        assertThat(balance(log, DATED, Basis.EFFECTIVE)).contains("7.00");
        assertThat(balance(log, DATED.minusSeconds(1), Basis.EFFECTIVE)).contains("0.00");
        assertThat(balance(log, DATED, Basis.RECORDED)).contains("0.00");
        assertThat(balance(log, NOW, Basis.RECORDED)).contains("7.00");
        assertThat(balance(log, NOW.plusSeconds(1), Basis.RECORDED)).contains("9.00");
        assertThat(balance(log, NOW.plusSeconds(1), Basis.EFFECTIVE)).contains("9.00");
        assertThat(balance(log, null, Basis.EFFECTIVE)).contains("9.00");
    }

    @Test
    void on_the_effective_basis_the_version_is_the_last_one_counted_though_a_later_one_was_read() {
        List<StoredEvent> log = alice();

        assertThat(AccountAsOf.fold(log.iterator(), DATED, Basis.EFFECTIVE, null, null).orElseThrow().version())
                .isEqualTo(2);
        assertThat(AccountAsOf.fold(log.iterator(), OPENED.plusSeconds(1), Basis.EFFECTIVE, null, null)
                .orElseThrow().version()).isEqualTo(1);
    }

    @Test
    void the_dated_events_carry_the_date_and_the_undated_do_not() {
        assertThat(alice()).extracting(StoredEvent::effectiveAt).containsExactly(null, DATED, null);
        assertThat(alice()).extracting(StoredEvent::effectiveInstant).containsExactly(OPENED, DATED,
                NOW.plusSeconds(1));
    }

    private List<StoredEvent> alice() {
        List<StoredEvent> events = new ArrayList<>();
        store.readStream(StreamId.account("alice"), 1).forEachRemaining(events::add);
        return events;
    }

    private static Optional<String> balance(List<StoredEvent> log, Instant asOf, Basis basis) {
        return AccountAsOf.fold(log.iterator(), asOf, basis, null, null)
                .map(stood -> Money.toDecimalString(stood.state().balance(), 2));
    }

    private static Money eur(String amount) {
        return Money.parse(amount, EUR);
    }
}
