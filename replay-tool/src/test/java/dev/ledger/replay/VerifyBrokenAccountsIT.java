package dev.ledger.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountEvent;
import dev.ledger.domain.api.AccountEvent.AccountOpened;
import dev.ledger.domain.api.AccountEvent.EntryPosted;
import dev.ledger.domain.api.AccountEvent.HoldVoided;
import dev.ledger.domain.api.LedgerEvent;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.StreamState;
import dev.ledger.domain.api.TransferEvent;
import dev.ledger.domain.api.TransferEvent.TransferRecorded;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.ledger.StreamChange;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.store.DynamoEventStore;
import dev.ledger.store.EventStore;
import dev.ledger.store.StateCodec;
import dev.ledger.store.StoreSession;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 10: {@code verify} over a log that holds accounts today's ledger would never write. One was
 * opened by an older ledger with an overdraft limit 7 cents short of the largest amount (its
 * available balance, 1.00 - 0.50 + 92233720368547758.00, is past what a {@code long} holds); one
 * stream cannot be folded at all. Each must become findings naming stream, version and field, and
 * every other stream must still be checked: exit 1, never 2 with a stack trace.
 */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VerifyBrokenAccountsIT {

    /** 92233720368547758.00 EUR: what issue 10's client opened. */
    private static final OverdraftLimit LEGACY_LIMIT = OverdraftLimit.of(9_223_372_036_854_775_800L);

    private Workload workload;
    private String endpoint;
    private String control;

    @BeforeAll
    void aWorkloadWithALegacyAccountAndAnUnfoldableOne(AwsClients aws, TestNames names) {
        endpoint = aws.endpoint().toString();
        control = names.table("replay-control");
        workload = new Workload(aws.dynamoDb(), names.prefix(), 7).run(20);

        appendAsWritten("legacy-open", new AccountOpened("legacy", Workload.EUR, LEGACY_LIMIT));
        appendAsWritten("legacy-in", posted("legacy-in", "bank-eur", "legacy", "1.00"));
        appendAsWritten("legacy-out", posted("legacy-out", "legacy", "bank-eur", "0.50"));
        workload.accounts.add("legacy");
        workload.transferIds.addAll(List.of("legacy-in", "legacy-out"));
        // Releases a hold it never placed: its fold throws at version 2. Not projected.
        appendAsWritten("unfoldable-open", new AccountOpened("unfoldable", Workload.EUR, OverdraftLimit.NONE));
        appendAsWritten("unfoldable-void", new HoldVoided("unfoldable", "ghost", Side.DEBIT, "bank-eur",
                Money.of(100, Workload.EUR)));

        workload.project(aws.sqs(), names.queue("dlq"));
    }

    @Test
    void verifyReportsTheLegacyAccountAndTheUnfoldableOneAndChecksEveryOtherStream() {
        ReplayRunner.Run run = replay("verify", "--json");

        assertThat(run.code()).as(run.out() + run.err()).isEqualTo(1);
        assertThat(run.err()).doesNotContain("Exception", "\tat ");
        JsonNode summary = run.json();
        assertThat(summary.get("accounts").asLong()).as("every account was checked")
                .isEqualTo(workload.accounts.size() + 1);
        assertThat(summary.get("transfers").asLong()).isEqualTo(workload.transferIds.size());
        List<String> findings = new ArrayList<>();
        summary.get("findings").forEach(f -> findings.add(f.get("stream").asText() + " v" + f.get("version").asText()
                + " " + f.get("field").asText() + ": " + f.get("detail").asText()));
        assertThat(findings).as("only the two accounts are reported").allSatisfy(f ->
                assertThat(f).matches("account:(legacy|unfoldable) .*"));
        assertThat(findings).anySatisfy(f -> assertThat(f)
                .startsWith("account:legacy v1 overdraftLimit: ").contains("92233720368547758.00 EUR",
                        "10000000000000000.00 EUR"));
        assertThat(findings).anySatisfy(f -> assertThat(f)
                .startsWith("account:legacy v3 available: ").contains("92233720368547758.50"));
        assertThat(findings).anySatisfy(f -> assertThat(f)
                .startsWith("account:unfoldable v2 event: cannot be folded"));
    }

    @Test
    void verifyOfTheLegacyAccountAloneReportsItAndExitsOne() {
        ReplayRunner.Run run = replay("verify", "--accounts", "legacy,eur-0");

        assertThat(run.code()).as(run.out() + run.err()).isEqualTo(1);
        assertThat(run.out()).contains("account:legacy v1 overdraftLimit: ", "FAILED: 2 accounts");
        assertThat(run.out().lines().filter(l -> l.startsWith("account:eur-0"))).isEmpty();
    }

    @Test
    void theLegacyAccountsStateShowsItsExactAvailableBalance() {
        ReplayRunner.Run run = replay("state", "--account", "legacy");

        assertThat(run.code()).as(run.out() + run.err()).isZero();
        assertThat(run.json().get("balance").asText()).isEqualTo("0.50");
        assertThat(run.json().get("available").asText()).isEqualTo("92233720368547758.50");
    }

    /** A posted transfer's three events: its record and both legs. */
    private static List<LedgerEvent> posted(String id, String debit, String credit, String amount) {
        Money money = Money.parse(amount, Workload.EUR);
        return List.of(new TransferRecorded(id, TransferRequest.posted(debit, credit, money), null),
                new EntryPosted(debit, id, Side.DEBIT, credit, money),
                new EntryPosted(credit, id, Side.CREDIT, debit, money));
    }

    private void appendAsWritten(String correlationId, LedgerEvent event) {
        appendAsWritten(correlationId, List.of(event));
    }

    /**
     * Appends these events as they are, hash-chained and with each stream's fold as its head's
     * snapshot (the state before an event that cannot be folded): what an older ledger, or a hand-made
     * log, could hold, with none of today's rules applied.
     */
    private void appendAsWritten(String correlationId, List<LedgerEvent> events) {
        workload.clock.step(Duration.ofSeconds(1));
        DynamoEventStore store = workload.store();
        StoreSession session = store.session();
        Map<StreamId, List<LedgerEvent>> byStream = new LinkedHashMap<>();
        events.forEach(e -> byStream.computeIfAbsent(e.streamId(), s -> new ArrayList<>()).add(e));
        List<StreamChange> changes = new ArrayList<>();
        byStream.forEach((stream, streamEvents) -> {
            Optional<EventStore.Head> head = session.head(stream);
            StreamState state = head.map(h -> stream.type() == StreamId.StreamType.ACCOUNT
                    ? (StreamState) StateCodec.decodeAccount(h.state()) : StateCodec.decodeTransfer(h.state()))
                    .orElse(null);
            for (LedgerEvent event : streamEvents) {
                try {
                    state = event instanceof AccountEvent a
                            ? AccountState.evolve(Optional.ofNullable((AccountState) state), a)
                            : TransferState.evolve(Optional.ofNullable((TransferState) state), (TransferEvent) event);
                } catch (RuntimeException unfoldable) {
                    // keep the last state that could be folded
                }
            }
            changes.add(new StreamChange(stream, head.map(EventStore.Head::version).orElse(0L), streamEvents,
                    state));
        });
        session.append(new LedgerResult(LedgerResult.Status.APPLIED, changes.get(0).stream(), null, changes),
                workload.clock.instant(), correlationId);
    }

    private ReplayRunner.Run replay(String... args) {
        return new ReplayRunner(endpoint, workload, control).run(args);
    }
}
