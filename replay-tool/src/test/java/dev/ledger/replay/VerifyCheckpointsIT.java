package dev.ledger.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.ledger.Ledger;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.store.AccountCheckpoint;
import dev.ledger.store.EventsTable;
import dev.ledger.store.StateCodec;
import dev.ledger.store.StoreSession;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Issue 16 §3: {@code replay verify} recomputes every checkpoint of an account stream from its events, so a
 * balance as of an instant (which starts from one) stays an answer from the log: a checkpoint that does not
 * hold what the events say at its version is a finding naming the stream and the version.
 */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class VerifyCheckpointsIT {

    private Workload workload;
    private String endpoint;
    private String control;

    @BeforeAll
    void a_workload_and_an_account_of_a_hundred_and_eleven_events(AwsClients aws, TestNames names) {
        endpoint = aws.endpoint().toString();
        control = names.table("replay-control");
        workload = new Workload(aws.dynamoDb(), names.prefix(), 16).run(5);
        run(l -> l.openAccount(new OpenAccount("busy", Workload.EUR, OverdraftLimit.NONE)));
        for (int i = 0; i < AccountCheckpoint.EVERY + 10; i++) {
            boolean freeze = i % 2 == 0;
            run(l -> freeze ? l.freezeAccount("busy") : l.unfreezeAccount("busy"));
        }
        workload.accounts.add("busy");
        workload.project(aws.sqs(), names.queue("dlq"));
    }

    @Test
    void a_checkpoint_that_does_not_hold_what_the_events_say_is_a_finding() {
        // Given the account's checkpoint at version 100, as the store wrote it
        AccountCheckpoint written = workload.store().checkpoints(StreamId.account("busy")).next();
        assertThat(written.version()).isEqualTo(AccountCheckpoint.EVERY);
        ReplayRunner.Run clean = replay("verify", "--accounts", "busy");
        assertThat(clean.code()).as(clean.out() + clean.err()).isZero();

        // When it is rewritten to say the account was still open and unfrozen there (as at version 1)
        Map<String, AttributeValue> tampered = new HashMap<>(EventsTable.checkpointItem(written));
        tampered.put(EventsTable.STATE, AttributeValue.fromS(StateCodec.encode(
                dev.ledger.store.AccountAsOf.fold(workload.store().readStream(StreamId.account("busy"), 1), null, 1L,
                        null).orElseThrow().state())));
        workload.dynamo().putItem(r -> r.tableName(workload.events).item(tampered));
        ReplayRunner.Run run = replay("verify", "--accounts", "busy");

        // Then verify fails on it, by stream and version
        assertThat(run.code()).as(run.out() + run.err()).isEqualTo(1);
        assertThat(run.out()).contains("account:busy v100 checkpoint: holds ");
    }

    private void run(Function<Ledger, LedgerResult> command) {
        StoreSession session = workload.store().session();
        LedgerResult result = command.apply(new Ledger(session, workload.clock));
        assertThat(result.isRejected()).isFalse();
        session.append(result, workload.clock.instant(), "checkpoints");
        workload.clock.step(Duration.ofSeconds(1));
    }

    private ReplayRunner.Run replay(String... args) {
        return new ReplayRunner(endpoint, workload, control).run(args);
    }
}
