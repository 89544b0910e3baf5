package dev.ledger.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.ledger.Ledger;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Issue 16 §3 on DynamoDB (the emulator): the store writes an account's checkpoints in its appends, and a
 * balance as of an instant read from them is the fold from version 1, in two requests whatever the instant.
 */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class AccountAsOfSeekIT {

    private static final Instant START = Instant.parse("2026-05-01T00:00:00Z");
    /** Frozen and unfrozen in turn: one event per append, so the account's history grows cheaply. */
    private static final int APPENDS = 2 * AccountCheckpoint.EVERY + 30;

    private final MutableClock clock = new MutableClock(START);
    private final AtomicInteger requests = new AtomicInteger();
    private final List<Instant> recorded = new ArrayList<>();
    private AwsClients counted;
    private DynamoEventStore store;

    @BeforeAll
    void anAccountOfTwoHundredAndThirtyOneEvents(AwsClients aws, TestNames names) {
        ExecutionInterceptor counter = new ExecutionInterceptor() {
            @Override
            public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                requests.incrementAndGet();
            }
        };
        counted = AwsClients.forEndpoint(aws.endpoint(), List.of(counter));
        String table = names.table("events");
        EventsTableSchema.create(counted.dynamoDb(), table);
        store = new DynamoEventStore(counted.dynamoDb(), table);
        LedgerWriter writer = new LedgerWriter(store, clock);
        run(writer, l -> l.openAccount(new OpenAccount("busy", CurrencyUnit.of("EUR"), OverdraftLimit.NONE)));
        for (int i = 0; i < APPENDS; i++) {
            boolean freeze = i % 2 == 0;
            run(writer, l -> freeze ? l.freezeAccount("busy") : l.unfreezeAccount("busy"));
        }
    }

    @AfterAll
    void close() {
        counted.close();
    }

    @Test
    void the_store_writes_a_checkpoint_every_hundred_versions_in_the_append() {
        List<AccountCheckpoint> checkpoints = new ArrayList<>();
        store.checkpoints(StreamId.account("busy")).forEachRemaining(checkpoints::add);

        assertThat(checkpoints).extracting(AccountCheckpoint::version).containsExactly(100L, 200L);
        for (AccountCheckpoint checkpoint : checkpoints) {
            StoredEvent event = store.readEvent(StreamId.account("busy"), checkpoint.version()).orElseThrow();
            assertThat(checkpoint.hash()).isEqualTo(event.hash());
            assertThat(checkpoint.recordedAt()).isEqualTo(event.recordedAt());
        }
    }

    @Test
    void every_instant_reads_as_the_fold_from_version_one_in_two_requests() {
        List<Instant> instants = new ArrayList<>(List.of(START.minusSeconds(1)));
        for (int i = 0; i < recorded.size(); i += 7) {
            instants.add(recorded.get(i));
            instants.add(recorded.get(i).plusMillis(500));
        }
        instants.add(recorded.get(recorded.size() - 1));
        for (Instant at : instants) {
            var folded = AccountAsOf.whole(stream -> store.readStream(stream, 1), "busy", at);
            int before = requests.get();
            var sought = AccountAsOf.whole(store, "busy", at);
            int used = requests.get() - before;

            assertThat(sought.map(AccountAsOf::version)).as("at " + at).isEqualTo(folded.map(AccountAsOf::version));
            assertThat(sought.map(AccountAsOf::state)).as("at " + at).isEqualTo(folded.map(AccountAsOf::state));
            assertThat(used).as("requests at " + at + ": the checkpoint's Query and one page after it").isEqualTo(2);
        }
    }

    private void run(LedgerWriter writer, Function<Ledger, LedgerResult> command) {
        assertThat(writer.execute("seek", command).result().isRejected()).isFalse();
        recorded.add(clock.instant());
        clock.advance(Duration.ofSeconds(1));
    }
}
