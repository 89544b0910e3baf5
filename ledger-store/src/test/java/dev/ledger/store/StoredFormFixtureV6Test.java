package dev.ledger.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.reversal.ReversalState;
import dev.ledger.domain.transaction.TransactionState;
import dev.ledger.domain.transfer.TransferState;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every check of {@link StoredFormFixtureChecks} over {@code stored-form/log-v6-effective-dates.jsonl}, the
 * frozen log of issue 16's effective dates (see {@link StoredFormFixtureV6GeneratorIT}), and what only it can
 * check: every request's effective date reads back as written, and every account folds on the effective
 * basis to the balances the generator recorded at each instant one of its events counts.
 */
class StoredFormFixtureV6Test extends StoredFormFixtureChecks {

    private static final String LOG = "/stored-form/" + StoredFormFixtureV6GeneratorIT.FIXTURE + ".jsonl";
    private static final String EXPECTED = "/stored-form/" + StoredFormFixtureV6GeneratorIT.FIXTURE + "-expected.json";

    StoredFormFixtureV6Test() {
        super(LOG, EXPECTED, Set.of("AccountOpened", "EntryPosted", "EntryReversed", "HoldPlaced", "HoldPosted",
                "PendingTransferPosted", "ReversalRecorded", "TransactionEntriesPosted", "TransactionRecorded",
                "TransferRecorded", "TransferRejected", "TransferReversed"), Set.of("EUR"));
    }

    @Test
    void everyRequestReadsBackWithTheEffectiveDateItWasWrittenWith() throws IOException {
        JsonNode expected = expected();
        int checked = 0;
        for (StoredEvent event : events()) {
            if (event.version() != 1 || event.stream().type() == StreamId.StreamType.ACCOUNT) {
                continue;
            }
            var state = dev.ledger.domain.ledger.StreamFold.evolve(null, event.event());
            Instant effectiveAt;
            if (state instanceof TransferState t) {
                effectiveAt = t.request().effectiveAt();
            } else if (state instanceof TransactionState t) {
                effectiveAt = t.request().effectiveAt();
            } else if (state instanceof ReversalState r) {
                effectiveAt = r.request().effectiveAt();
            } else {
                throw new IllegalStateException("no request in " + event.stream());
            }
            String group = switch (event.stream().type()) {
                case TRANSFER -> "transfers";
                case TRANSACTION -> "transactions";
                case REVERSAL -> "reversals";
                default -> throw new IllegalStateException(event.stream().toString());
            };
            JsonNode recorded = expected.get(group).get(event.stream().id()).get("effectiveAt");
            assertThat(effectiveAt == null ? null : effectiveAt.toString()).as("%s", event.stream())
                    .isEqualTo(recorded.isNull() ? null : recorded.asText());
            checked++;
        }
        assertThat(checked).isEqualTo(expected.get("transfers").size() + expected.get("transactions").size()
                + expected.get("reversals").size());
    }

    @Test
    void everyAccountFoldsOnTheEffectiveBasisToItsRecordedBalances() throws IOException {
        JsonNode expected = expected();
        List<StoredEvent> events = events();
        for (Iterator<Map.Entry<String, JsonNode>> accounts = expected.get("accounts").fields(); accounts.hasNext(); ) {
            Map.Entry<String, JsonNode> account = accounts.next();
            List<StoredEvent> own = events.stream().filter(e -> e.stream().equals(StreamId.account(account.getKey())))
                    .toList();
            account.getValue().get("effectiveBalances").fields().forEachRemaining(point -> {
                Instant asOf = Instant.parse(point.getKey());
                String folded = AccountAsOf.fold(own.iterator(), asOf, Basis.EFFECTIVE, null, null)
                        .map(stood -> Money.toDecimalString(stood.state().balance(), 2)).orElse(null);
                assertThat(folded).as("%s as of %s, effective basis", account.getKey(), asOf)
                        .isEqualTo(point.getValue().asText());
            });
        }
    }

    private static JsonNode expected() throws IOException {
        try (InputStream in = StoredFormFixtureV6Test.class.getResourceAsStream(EXPECTED)) {
            return new ObjectMapper().readTree(in);
        }
    }

    /** The fixture's events in key order (stream, then version), heads left out. */
    private static List<StoredEvent> events() throws IOException {
        List<StoredEvent> events = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(
                StoredFormFixtureV6Test.class.getResourceAsStream(LOG), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                var item = DynamoItemJson.read(line);
                if (!item.get(EventsTable.SK).n().equals("0")) {
                    events.add(EventsTable.toEvent(item));
                }
            }
        }
        return events;
    }
}
