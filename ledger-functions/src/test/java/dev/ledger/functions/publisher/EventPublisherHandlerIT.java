package dev.ledger.functions.publisher;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent.DynamodbStreamRecord;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamRecord;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountEvent.AccountOpened;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.store.AccountCheckpoint;
import dev.ledger.store.EventsTable;
import dev.ledger.store.HashChain;
import dev.ledger.store.StoredEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * The publisher forwards events only: of one append's stream records (an event, its stream's head and a
 * checkpoint of issue 16 §3, whose sort key is no long), exactly the event reaches Kinesis.
 */
@ExtendWith(LocalAwsExtension.class)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class EventPublisherHandlerIT {

    private static final Instant AT = Instant.parse("2026-06-01T12:00:00Z");

    @Test
    void heads_and_checkpoints_are_not_published(AwsClients aws, TestNames names) {
        // Given an append's three items as the table's stream delivers them
        String stream = names.stream("events");
        aws.kinesis().createStream(r -> r.streamName(stream).shardCount(1));
        AccountOpened opened = new AccountOpened("alice", CurrencyUnit.of("EUR"), OverdraftLimit.NONE);
        StoredEvent event = dev.ledger.store.StreamAppend.events(new dev.ledger.domain.ledger.StreamChange(
                StreamId.account("alice"), 0, List.of(opened), AccountState.evolve(Optional.empty(), opened)),
                0, HashChain.GENESIS, AT, "c-1").get(0);
        AccountState state = AccountState.evolve(Optional.empty(), opened);
        Map<String, AttributeValue> head = EventsTable.headItem(event.stream(), 1, event.hash(), state, AT);
        Map<String, AttributeValue> checkpoint = EventsTable.checkpointItem(
                new AccountCheckpoint(event.stream(), 1, AT, event.hash(), state));
        DynamodbEvent records = new DynamodbEvent();
        records.setRecords(List.of(insert(EventsTable.toItem(event), "1"), insert(head, "2"), insert(checkpoint, "3")));

        // When the publisher handles them
        StreamsEventResponse response = new EventPublisherHandler(new EventPublisher(aws.kinesis(), stream))
                .handleRequest(records, null);

        // Then only the event is on Kinesis
        assertThat(response.getBatchItemFailures()).isEmpty();
        String shard = aws.kinesis().listShards(r -> r.streamName(stream)).shards().get(0).shardId();
        String iterator = aws.kinesis().getShardIterator(r -> r.streamName(stream).shardId(shard)
                .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
        List<Record> published = aws.kinesis().getRecords(r -> r.shardIterator(iterator)).records();
        assertThat(published).hasSize(1);
        assertThat(published.get(0).partitionKey()).isEqualTo(EventsTable.pk(event.stream()));
    }

    private static DynamodbStreamRecord insert(Map<String, AttributeValue> item, String sequence) {
        Map<String, com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue> image = new HashMap<>();
        item.forEach((name, value) -> image.put(name, value.s() != null
                ? new com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue().withS(value.s())
                : new com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue().withN(value.n())));
        DynamodbStreamRecord record = new DynamodbStreamRecord();
        record.setEventName("INSERT");
        record.setDynamodb(new StreamRecord().withNewImage(image).withSequenceNumber(sequence));
        return record;
    }
}
