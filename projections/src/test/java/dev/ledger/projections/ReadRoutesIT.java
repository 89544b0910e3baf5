package dev.ledger.projections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The read routes a blue/green rebuild switches, on the emulator's DynamoDB. */
@ExtendWith(LocalAwsExtension.class)
class ReadRoutesIT {

    private static final Instant AT = Instant.parse("2026-11-27T08:00:00Z");

    @Test
    void aProjectionIsServedByItsDeployedTableUntilARouteNamesAnother(AwsClients aws, TestNames names) {
        DynamoDbClient dynamo = aws.dynamoDb();
        String control = names.table("control");
        ProjectionCatalog.BALANCES.createTable(dynamo, control); // the same key shape: id
        ReadRoutes everyTime = new ReadRoutes(dynamo, control, Clock.systemUTC(), Duration.ZERO);
        ReadRoutes cachedForADay = new ReadRoutes(dynamo, control, Clock.systemUTC(), Duration.ofDays(1));
        assertThat(new ReadRoutes(dynamo, null, Clock.systemUTC(), Duration.ZERO).tableFor("balances", "deployed"))
                .as("no control table at all").isEqualTo("deployed");
        assertThat(everyTime.tableFor("balances", "deployed")).isEqualTo("deployed");
        assertThat(cachedForADay.tableFor("balances", "deployed")).isEqualTo("deployed");

        ReadRoutes.switchTo(dynamo, control, "balances", "deployed", false, "deployed-rebuild-1", AT, "operator-a");

        assertThat(everyTime.tableFor("balances", "deployed")).isEqualTo("deployed-rebuild-1");
        assertThat(everyTime.tableFor("history", "history-deployed")).as("other projections keep theirs")
                .isEqualTo("history-deployed");
        assertThat(cachedForADay.tableFor("balances", "deployed")).as("a cached route until it is maxAge old")
                .isEqualTo("deployed");
        assertThat(ReadRoutes.read(dynamo, control, "balances")).contains(
                new ReadRoutes.Route("balances", "deployed-rebuild-1", "deployed", AT, "operator-a"));
    }

    @Test
    void aSwapIsRefusedWhenTheRouteMovedSinceItWasRead(AwsClients aws, TestNames names) {
        DynamoDbClient dynamo = aws.dynamoDb();
        String control = names.table("control-moved");
        ProjectionCatalog.BALANCES.createTable(dynamo, control);
        ReadRoutes.switchTo(dynamo, control, "history", "deployed", false, "deployed-rebuild-1", AT, "operator-a");

        assertThatThrownBy(() -> ReadRoutes.switchTo(dynamo, control, "history", "deployed", false,
                "deployed-rebuild-2", AT, "operator-b"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the route of history changed while this rebuild ran");
        assertThatThrownBy(() -> ReadRoutes.switchTo(dynamo, control, "history", "deployed-rebuild-9", true,
                "deployed-rebuild-2", AT, "operator-b"))
                .isInstanceOf(IllegalStateException.class);
        ReadRoutes.switchTo(dynamo, control, "history", "deployed-rebuild-1", true, "deployed-rebuild-2", AT,
                "operator-b");
        assertThat(ReadRoutes.read(dynamo, control, "history")).get()
                .satisfies(route -> assertThat(route.table()).isEqualTo("deployed-rebuild-2"));
    }
}
