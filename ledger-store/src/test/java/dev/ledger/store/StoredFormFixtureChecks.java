package dev.ledger.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountEvent;
import dev.ledger.domain.api.AccountShards;
import dev.ledger.domain.api.BatchEvent;
import dev.ledger.domain.api.LedgerEvent;
import dev.ledger.domain.api.ReversalEvent;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.StreamState;
import dev.ledger.domain.api.TransactionEvent;
import dev.ledger.domain.api.TransferEvent;
import dev.ledger.domain.batch.BatchState;
import dev.ledger.domain.ledger.StreamFold;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.reversal.ReversalState;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.domain.transfer.TransferStatus;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The stored form is a contract with every log already written: a change may add event types or
 * fields, never reinterpret old bytes. {@code stored-form/log-v1.jsonl} is a whole events table as the
 * code of its day wrote it (every event item and head item, every attribute with its DynamoDB type,
 * written once by {@link StoredFormFixtureGeneratorIT} and frozen since); this reads it through the
 * current code, with no emulator:
 *
 * <ul>
 *   <li>every item maps to a {@link StoredEvent} or head with the store's own item mapping, and an event
 *       maps back to the very same item;</li>
 *   <li>every event decodes with the current {@link EventCodec}, and encoding the decoded event gives the
 *       stored type, schema version and {@code data} string byte for byte;</li>
 *   <li>every chain, recomputed from 64 zeros with the current canonical bytes, gives every recorded
 *       hash and the head's;</li>
 *   <li>every stream folds (the domain's {@code evolve}) to what the domain said when the log was written
 *       ({@code log-v1-expected.json}), and every head item decodes to that fold and is the item the store
 *       writes for it ({@link StateCodec} snapshot, version, hash, creation time, the sweeper's index keys).</li>
 * </ul>
 *
 * <p>If this fails, the change under test reads or writes logs already written differently. Fix the
 * change; never regenerate or edit the fixture to make this pass. Every fixture runs every check here
 * through a test of its own: {@link StoredFormFixtureTest} ({@code log-v1}), {@link StoredFormFixtureV2Test}
 * ({@code log-v2}, with what issue 12 added), {@link StoredFormFixtureV3Test}
 * ({@code log-v3-transaction-reversals}), {@link StoredFormFixtureV4Test} ({@code log-v4-batches}, with
 * batch streams, whose fold {@link #everyBatchFoldsToItsRecordedOutcome} checks), {@link StoredFormFixtureV5Test}
 * ({@code log-v5-shards}, with the shard streams {@code account:ID#k} of a sharded account, which
 * {@link #everyAccountsShardsAreItsStreamsAndAddUpToItsRecordedWhole} checks, and the shard fields of
 * account and transfer states, which the folds check where the expectations record them).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class StoredFormFixtureChecks {

    /** The event types of version one, all in {@code log-v1}. */
    static final Set<String> VERSION_ONE_TYPES = Set.of("AccountOpened", "AccountFrozen", "AccountUnfrozen",
            "AccountClosed", "EntryPosted", "HoldPlaced", "HoldPosted", "HoldVoided", "HoldExpired",
            "TransferRecorded", "TransferRejected", "PendingTransferPosted", "PendingTransferVoided",
            "PendingTransferExpired");

    private final String log;
    private final String expectedResource;
    private final Set<String> types;
    private final Set<String> currencies;

    /** A frozen fixture, the event types it must hold, and its currencies. */
    StoredFormFixtureChecks(String log, String expected, Set<String> types, Set<String> currencies) {
        this.log = log;
        this.expectedResource = expected;
        this.types = types;
        this.currencies = currencies;
    }
    private static final Set<String> EVENT_ATTRIBUTES = Set.of(EventsTable.PK, EventsTable.SK, EventsTable.TYPE,
            EventsTable.SCHEMA_VERSION, EventsTable.RECORDED_AT, EventsTable.TRANSFER_ID, EventsTable.CORRELATION_ID,
            EventsTable.DATA, EventsTable.HASH, EventsTable.EFFECTIVE_AT); // the last only since issue 16 (log-v6)
    private static final Set<String> HEAD_ATTRIBUTES = Set.of(EventsTable.PK, EventsTable.SK, EventsTable.VERSION,
            EventsTable.HASH, EventsTable.STATE, EventsTable.CREATED_AT);

    /** One stream of the fixture: its head item and its event items in version order. */
    private record Stream(StreamId id, Map<String, AttributeValue> head, List<Map<String, AttributeValue>> events) {
    }

    private List<Map<String, AttributeValue>> items;
    private Map<StreamId, Stream> streams;
    private JsonNode expected;

    @BeforeAll
    void load() throws IOException {
        items = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(resource(log), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                items.add(DynamoItemJson.read(line));
            }
        }
        try (InputStream in = resource(expectedResource)) {
            expected = new ObjectMapper().readTree(in);
        }
        Map<StreamId, Map<String, AttributeValue>> heads = new TreeMap<>();
        Map<StreamId, List<Map<String, AttributeValue>>> events = new TreeMap<>();
        for (Map<String, AttributeValue> item : items) {
            StreamId stream = EventsTable.streamOf(item.get(EventsTable.PK).s());
            if (Long.parseLong(item.get(EventsTable.SK).n()) == EventsTable.HEAD_SK) {
                assertThat(heads.put(stream, item)).as("two heads for %s", stream).isNull();
            } else {
                events.computeIfAbsent(stream, s -> new ArrayList<>()).add(item);
            }
        }
        assertThat(heads.keySet()).as("streams with a head and streams with events").isEqualTo(events.keySet());
        streams = new TreeMap<>();
        heads.forEach((stream, head) -> streams.put(stream, new Stream(stream, head, events.get(stream))));
    }

    @Test
    void theFixtureIsAWholeTableInKeyOrder() {
        assertThat(items).hasSize(expected.get("items").asInt());
        assertThat(items.stream().filter(item -> !item.get(EventsTable.SK).n().equals("0")))
                .hasSize(expected.get("events").asInt());
        assertThat(streams).hasSize(expected.get("accounts").size() + expected.get("transfers").size()
                + (expected.has("reversals") ? expected.get("reversals").size() : 0)
                + (expected.has("transactions") ? expected.get("transactions").size() : 0)
                + (expected.has("batches") ? expected.get("batches").size() : 0));
        for (Stream stream : streams.values()) {
            for (int i = 0; i < stream.events().size(); i++) {
                assertThat(stream.events().get(i).get(EventsTable.SK).n()).as("%s: versions are 1, 2, 3... in order",
                        stream.id()).isEqualTo(Long.toString(i + 1));
            }
        }
    }

    @Test
    void everyEventItemReadsAsAStoredEventAndWritesBackAsTheSameItem() {
        forEachEvent((stream, item, event) -> {
            assertThat(item.keySet()).as("%s v%d: attributes", stream, event.version()).isSubsetOf(EVENT_ATTRIBUTES);
            assertThat(event.stream()).isEqualTo(stream);
            assertThat(EventsTable.toItem(event))
                    .as("%s v%d: the store's item for the event it read from the stored item", stream, event.version())
                    .isEqualTo(item);
        });
    }

    @Test
    void everyEventDecodesAndEncodesBackToTheStoredBytes() {
        forEachEvent((stream, item, event) -> {
            String where = stream + " v" + event.version() + " (" + event.type() + ")";
            LedgerEvent decoded = decode(event);
            EventCodec.Encoded encoded = EventCodec.encode(decoded);
            assertThat(encoded.type()).as("%s: the stored type name of the decoded event", where)
                    .isEqualTo(event.type());
            assertThat(encoded.schemaVersion()).as("%s: the schema version of the decoded event", where)
                    .isEqualTo(event.schemaVersion());
            assertThat(CanonicalJson.string(encoded.body()))
                    .as("%s: the current EventCodec must encode the event it decoded from the stored data to the "
                            + "stored data, byte for byte", where)
                    .isEqualTo(event.data());
            assertThat(EventCodec.transferIdOf(decoded)).as("%s: the envelope's transfer id", where)
                    .isEqualTo(event.transferId());
            assertThat(decoded).as("%s: each stream holds events of its own kind (account, transfer, "
                    + "transaction, reversal, batch)", where).isInstanceOf(switch (stream.type()) {
                        case ACCOUNT -> AccountEvent.class;
                        case TRANSFER -> TransferEvent.class;
                        case TRANSACTION -> TransactionEvent.class;
                        case REVERSAL -> ReversalEvent.class;
                        case BATCH -> BatchEvent.class;
                        case AUDIT -> dev.ledger.domain.api.AuditEvent.class;
                    });
            assertThat(StoredEvent.fromJsonLine(event.toJsonLine())).as("%s: the export / Kinesis line", where)
                    .isEqualTo(event);
        });
    }

    @Test
    void everyChainRecomputesFromGenesisToTheRecordedHashes() {
        for (Stream stream : streams.values()) {
            String hash = HashChain.GENESIS;
            List<StoredEvent> events = new ArrayList<>();
            for (Map<String, AttributeValue> item : stream.events()) {
                StoredEvent event = EventsTable.toEvent(item);
                events.add(event);
                hash = HashChain.next(hash, event.canonicalBytes());
                assertThat(hash).as("%s v%d (%s): the hash recomputed with the current canonical bytes",
                        stream.id(), event.version(), event.type()).isEqualTo(event.hash());
            }
            assertThat(EventsTable.toHead(stream.head()).hash()).as("%s: the head's hash", stream.id())
                    .isEqualTo(hash);
            HashChainCursor.Verification verification = HashChainCursor.verify(events.iterator());
            assertThat(verification.valid()).as("%s: HashChainCursor", stream.id()).isTrue();
            assertThat(verification.headHash()).isEqualTo(hash);
            JsonNode recorded = expectedOf(stream.id());
            assertThat(hash).as("%s: the head hash recorded when the fixture was written", stream.id())
                    .isEqualTo(recorded.get("headHash").asText());
            assertThat(events).as("%s: events", stream.id()).hasSize(recorded.get("events").asInt());
        }
    }

    @Test
    void everyAccountFoldsToItsRecordedBalances() {
        for (Stream stream : streams.values()) {
            if (fold(stream) instanceof AccountState account) {
                JsonNode recorded = expectedOf(stream.id());
                int digits = account.currency().minorDigits();
                Map<String, String> folded = new TreeMap<>();
                folded.put("currency", account.currency().code());
                folded.put("overdraftLimit", account.overdraftLimit().unlimited() ? null
                        : Money.toDecimalString(account.overdraftLimit().minorUnits(), digits));
                folded.put("status", account.status().name());
                folded.put("balance", Money.toDecimalString(account.balance(), digits));
                folded.put("debitsPosted", Money.toDecimalString(account.debitsPosted(), digits));
                folded.put("creditsPosted", Money.toDecimalString(account.creditsPosted(), digits));
                folded.put("debitsPending", Money.toDecimalString(account.debitsPending(), digits));
                folded.put("creditsPending", Money.toDecimalString(account.creditsPending(), digits));
                if (recorded.has("shardCount")) {
                    folded.put("shardCount", Integer.toString(account.shardCount()));
                    folded.put("shardMovesIn", Money.toDecimalString(account.shardMovesIn(), digits));
                    folded.put("shardMovesOut", Money.toDecimalString(account.shardMovesOut(), digits));
                }
                assertThat(folded).as("%s folded by AccountState.evolve", stream.id())
                        .isEqualTo(recordedFields(recorded, folded.keySet()));
            }
        }
    }

    /**
     * The account streams of one account are its shards ({@link AccountShards}): the account's own stream
     * ({@code account:ID}) and {@code account:ID#1} to {@code #N-1}, N the count its own stream folds to; a
     * sharded account's shards add up ({@link AccountState#whole}) to the account users saw when the log was
     * written ({@code wholeAccounts}, from {@code log-v5-shards} on).
     */
    @Test
    void everyAccountsShardsAreItsStreamsAndAddUpToItsRecordedWhole() {
        Map<String, Map<Integer, AccountState>> shardsOf = new TreeMap<>();
        for (Stream stream : streams.values()) {
            if (fold(stream) instanceof AccountState account) {
                assertThat(account.accountId()).as("%s: the account id its events fold to", stream.id())
                        .isEqualTo(stream.id().id());
                assertThat(shardsOf.computeIfAbsent(account.account(), id -> new TreeMap<>())
                        .put(account.shard(), account)).as("%s: one stream per shard", stream.id()).isNull();
            }
        }
        JsonNode recordedWholes = expected.has("wholeAccounts") ? expected.get("wholeAccounts")
                : new ObjectMapper().createObjectNode();
        Set<String> sharded = new TreeSet<>();
        shardsOf.forEach((accountId, shards) -> {
            AccountState own = shards.get(0);
            assertThat(own).as("account %s: its own stream, shard 0", accountId).isNotNull();
            assertThat(shards.keySet()).as("account %s: shards 0 to its shard count - 1", accountId)
                    .containsExactlyElementsOf(IntStream.range(0, own.shardCount()).boxed().toList());
            shards.values().stream().filter(shard -> shard.shard() != 0).forEach(shard -> assertThat(
                    shard.shardCount()).as("%s: a shard k >= 1 keeps no count", shard.accountId()).isZero());
            if (!own.sharded()) {
                return;
            }
            sharded.add(accountId);
            JsonNode recorded = recordedWholes.get(accountId);
            assertThat(recorded).as("account %s in wholeAccounts of %s", accountId, expectedResource).isNotNull();
            AccountState whole = AccountState.whole(List.copyOf(shards.values()));
            int digits = whole.currency().minorDigits();
            Map<String, String> added = new TreeMap<>();
            added.put("shards", Integer.toString(shards.size()));
            added.put("currency", whole.currency().code());
            added.put("overdraftLimit", whole.overdraftLimit().unlimited() ? null
                    : Money.toDecimalString(whole.overdraftLimit().minorUnits(), digits));
            added.put("status", whole.status().name());
            added.put("balance", Money.toDecimalString(whole.balance(), digits));
            added.put("debitsPosted", Money.toDecimalString(whole.debitsPosted(), digits));
            added.put("creditsPosted", Money.toDecimalString(whole.creditsPosted(), digits));
            added.put("debitsPending", Money.toDecimalString(whole.debitsPending(), digits));
            added.put("creditsPending", Money.toDecimalString(whole.creditsPending(), digits));
            assertThat(added).as("account %s: its shards added up by AccountState.whole", accountId)
                    .isEqualTo(recordedFields(recorded, added.keySet()));
        });
        List<String> recordedNames = new ArrayList<>();
        recordedWholes.fieldNames().forEachRemaining(recordedNames::add);
        assertThat(recordedNames).as("wholeAccounts of %s: the sharded accounts", expectedResource)
                .containsExactlyInAnyOrderElementsOf(sharded);
    }

    @Test
    void everyTransferFoldsToItsRecordedOutcome() {
        for (Stream stream : streams.values()) {
            if (fold(stream) instanceof TransferState transfer) {
                JsonNode recorded = expectedOf(stream.id());
                Map<String, String> folded = new TreeMap<>();
                folded.put("status", transfer.status().name());
                folded.put("amount", transfer.request().amount().toDecimalString());
                folded.put("postedAmount", transfer.postedAmount().toDecimalString());
                folded.put("currency", transfer.request().amount().currency().code());
                folded.put("rejectionCode", transfer.rejection() == null ? null : transfer.rejection().code().code());
                if (recorded.has("reversedAmount")) {
                    folded.put("reversedAmount", transfer.reversedAmount().toDecimalString());
                    folded.put("postRequest", transfer.postRequest() == null ? null : transfer.postRequest().toString());
                }
                if (recorded.has("debitShard")) {
                    folded.put("debitShard", Integer.toString(transfer.debitShard()));
                    folded.put("creditShard", Integer.toString(transfer.creditShard()));
                }
                assertThat(folded).as("%s folded by TransferState.evolve", stream.id())
                        .isEqualTo(recordedFields(recorded, folded.keySet()));
            }
        }
    }

    @Test
    void everyReversalFoldsToItsRecordedOutcome() {
        for (Stream stream : streams.values()) {
            if (fold(stream) instanceof ReversalState reversal) {
                JsonNode recorded = expectedOf(stream.id());
                Map<String, String> folded = new TreeMap<>();
                folded.put("originalId", reversal.request().originalId());
                folded.put("amount", reversal.amount() == null ? null : reversal.amount().toString());
                folded.put("forced", Boolean.toString(reversal.request().force()));
                folded.put("rejectionCode", reversal.rejection() == null ? null : reversal.rejection().code().code());
                assertThat(folded).as("%s folded by ReversalState.evolve", stream.id())
                        .isEqualTo(recordedFields(recorded, folded.keySet()));
            }
        }
    }

    @Test
    void everyBatchFoldsToItsRecordedOutcome() {
        for (Stream stream : streams.values()) {
            if (fold(stream) instanceof BatchState batch) {
                JsonNode recorded = expectedOf(stream.id());
                Map<String, String> folded = new TreeMap<>();
                folded.put("atomic", Boolean.toString(batch.atomic()));
                folded.put("digest", batch.digest());
                folded.put("itemCount", Integer.toString(batch.itemCount()));
                folded.put("outcomes", batch.items().stream().map(item -> item.kind() + " " + item.id() + " "
                        + item.outcome() + (item.code() == null ? "" : " " + item.code()))
                        .collect(Collectors.joining(", ")));
                folded.put("rejectionCode", batch.rejection() == null ? null : batch.rejection().code().code());
                folded.put("failedItem", batch.rejection() == null ? null
                        : String.valueOf(batch.rejection().failedItem()));
                assertThat(folded).as("%s folded by BatchState.evolve", stream.id())
                        .isEqualTo(recordedFields(recorded, folded.keySet()));
            }
        }
    }

    @Test
    void everyHeadIsTheFoldOfItsStream() {
        for (Stream stream : streams.values()) {
            StreamState folded = fold(stream);
            Map<String, AttributeValue> item = stream.head();
            EventStore.Head head = EventsTable.toHead(item);
            StoredEvent first = EventsTable.toEvent(stream.events().get(0));
            StoredEvent last = EventsTable.toEvent(stream.events().get(stream.events().size() - 1));
            assertThat(head.stream()).isEqualTo(stream.id());
            assertThat(head.version()).as("%s: head version", stream.id()).isEqualTo(last.version());
            assertThat(head.hash()).as("%s: head hash", stream.id()).isEqualTo(last.hash());
            assertThat(head.createdAt()).as("%s: head createdAt", stream.id()).isEqualTo(first.recordedAt());
            StreamState snapshot = StateCodec.decode(stream.id(), head.state());
            assertThat(snapshot).as("%s: the head's snapshot decoded by StateCodec", stream.id()).isEqualTo(folded);
            assertThat(StateCodec.encode(folded))
                    .as("%s: StateCodec must write the fold as the stored snapshot, byte for byte", stream.id())
                    .isEqualTo(head.state());

            Set<String> attributes = new HashSet<>(HEAD_ATTRIBUTES);
            if (folded instanceof TransferState transfer && transfer.status() == TransferStatus.PENDING) {
                attributes.add(PendingHolds.BUCKET);
                attributes.add(PendingHolds.EXPIRES_AT);
                assertThat(item.get(PendingHolds.BUCKET).s()).as("%s: pending bucket", stream.id())
                        .isEqualTo(PendingHolds.bucketOf(transfer.transferId()));
                assertThat(item.get(PendingHolds.EXPIRES_AT).s()).as("%s: the sweeper's sortable expiry", stream.id())
                        .isEqualTo(PendingHolds.sortable(transfer.expiresAt()));
            }
            assertThat(item.keySet()).as("%s: head attributes", stream.id()).isEqualTo(attributes);
            assertThat(EventsTable.headItem(stream.id(), last.version(), last.hash(), folded, first.recordedAt()))
                    .as("%s: the head item the store writes for this stream's fold", stream.id()).isEqualTo(item);
        }
    }

    @Test
    void theLogCoversEveryEventTypeOfItsVersionAndConservesMoney() {
        Map<String, Long> types = new TreeMap<>();
        forEachEvent((stream, item, event) -> types.merge(event.type(), 1L, Long::sum));
        Map<String, Long> recorded = new TreeMap<>();
        expected.get("eventTypes").fields().forEachRemaining(f -> recorded.put(f.getKey(), f.getValue().asLong()));
        assertThat(types).isEqualTo(recorded);
        assertThat(types.keySet()).containsExactlyInAnyOrderElementsOf(this.types);

        Map<String, Long> balances = new TreeMap<>();
        Map<String, Long> pending = new TreeMap<>();
        for (Stream stream : streams.values()) {
            if (fold(stream) instanceof AccountState account) {
                balances.merge(account.currency().code(), account.balance(), Math::addExact);
                pending.merge(account.currency().code(), account.debitsPending() - account.creditsPending(),
                        Math::addExact);
            }
        }
        assertThat(balances).as("balances per currency").containsOnlyKeys(currencies).allSatisfy(
                (currency, sum) -> assertThat(sum).as(currency).isZero());
        assertThat(pending).as("debits pending - credits pending per currency")
                .allSatisfy((currency, sum) -> assertThat(sum).as(currency).isZero());
    }

    private interface EventCheck {
        void check(StreamId stream, Map<String, AttributeValue> item, StoredEvent event);
    }

    private void forEachEvent(EventCheck check) {
        for (Stream stream : streams.values()) {
            for (Map<String, AttributeValue> item : stream.events()) {
                check.check(stream.id(), item, EventsTable.toEvent(item));
            }
        }
    }

    /** The stream folded with the domain's own fold, from the events decoded by the current code. */
    private static StreamState fold(Stream stream) {
        StreamState state = null;
        for (Map<String, AttributeValue> item : stream.events()) {
            state = StreamFold.evolve(state, decode(EventsTable.toEvent(item)));
        }
        return state;
    }

    /** The event decoded by the current code; a failure names the stored event it could not read. */
    private static LedgerEvent decode(StoredEvent event) {
        try {
            return event.event();
        } catch (RuntimeException e) {
            throw new AssertionError(event.stream() + " v" + event.version() + " (" + event.type() + "): the current "
                    + "code cannot decode this stored event: " + e.getMessage() + "; stored data: " + event.data(), e);
        }
    }

    private JsonNode expectedOf(StreamId stream) {
        JsonNode node = expected.get(switch (stream.type()) {
            case ACCOUNT -> "accounts";
            case TRANSFER -> "transfers";
            case TRANSACTION -> "transactions";
            case REVERSAL -> "reversals";
            case BATCH -> "batches";
            case AUDIT -> "audit"; // no frozen fixture holds the audit trail (issue 15 came after them)
        }).get(stream.id());
        assertThat(node).as("%s in %s", stream, expectedResource).isNotNull();
        return node;
    }

    private Map<String, String> recordedFields(JsonNode recorded, Set<String> names) {
        Map<String, String> fields = new HashMap<>();
        for (String name : names) {
            JsonNode value = recorded.get(name);
            assertThat(value).as("%s in %s", name, expectedResource).isNotNull();
            fields.put(name, value.isNull() ? null : value.asText());
        }
        return new TreeMap<>(fields);
    }

    private static InputStream resource(String name) {
        InputStream in = StoredFormFixtureChecks.class.getResourceAsStream(name);
        if (in == null) {
            throw new UncheckedIOException(new IOException("missing test resource " + name));
        }
        return in;
    }
}
