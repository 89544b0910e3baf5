package dev.ledger.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.projections.ProjectionCatalog;
import dev.ledger.projections.ReadRoutes;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * Where the ledger runs and what its tables are called: from options, or else from the state file
 * {@code ./ledger local} writes ({@code .ledger/local.json}: emulator endpoint, region, the stack's
 * outputs). Without an endpoint at all the AWS SDK's default region and credential chains apply.
 */
public final class Target {

    /** Stack outputs naming the tables (infra/template.yaml); the projections' are in their catalog. */
    static final String EVENTS_OUTPUT = "EventsTableName";
    static final String CONTROL_OUTPUT = "ControlTableName";

    /**
     * Every client of the tool names itself {@code ledger-replay-<command>} in its User-Agent
     * ({@code app/ledger-replay-rebuild}), which CloudTrail records with each call: an auditor sees
     * which replay command made it. The policy-coverage test tells the tool's calls apart by it too.
     */
    static final String APP_ID_PREFIX = "ledger-replay-";

    /** The command this mixin serves (its name goes into the client's app id). */
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--endpoint", paramLabel = "URL", description = "AWS endpoint (e.g. a local emulator); "
            + "default: the state file's emulator, else AWS itself")
    URI endpoint;

    @Option(names = "--region", paramLabel = "R", description = "AWS region; default: the state file's, else the SDK's chain")
    String region;

    @Option(names = "--state-file", paramLabel = "FILE", defaultValue = "${env:LEDGER_STATE_FILE:-.ledger/local.json}",
            description = "state file of a running `./ledger local` (default: ${DEFAULT-VALUE})")
    Path stateFile;

    @Option(names = "--events-table", paramLabel = "NAME", description = "default: output " + EVENTS_OUTPUT)
    String eventsTable;

    @Option(names = "--balances-table", paramLabel = "NAME", description = "default: the stack output the projection catalog names (BalancesTableName)")
    String balancesTable;

    @Option(names = "--history-table", paramLabel = "NAME", description = "default: the stack output the projection catalog names (HistoryTableName)")
    String historyTable;

    @Option(names = "--transfers-table", paramLabel = "NAME", description = "default: the stack output the projection catalog names (TransfersTableName)")
    String transfersTable;

    @Option(names = "--metadata-table", paramLabel = "NAME", description = "default: the stack output the projection catalog names (MetadataTableName)")
    String metadataTable;

    @Option(names = "--control-table", paramLabel = "NAME",
            description = "the replay tool's own table (rebuild locks and records, read routes); default: output "
                    + CONTROL_OUTPUT + ", else <events table>-replay")
    String controlTable;

    private JsonNode state;
    private boolean stateRead;

    /** A client for the target; the caller closes it. */
    DynamoDbClient dynamo() {
        // A page of a filtered parallel Scan can take the emulator (or a throttled table) longer than
        // the client's default 30 s read timeout; an operator's rebuild should wait, not fail.
        DynamoDbClientBuilder builder = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.builder()
                .socketTimeout(Duration.ofMinutes(2)).build());
        return configure(builder).build();
    }

    /** An STS client for the same endpoint, region and credentials: who the tool runs as. The caller closes it. */
    StsClient sts() {
        return configure(StsClient.builder().httpClient(UrlConnectionHttpClient.create())).build();
    }

    /** Points a client at the target: its endpoint and region, and any credentials for an emulator. */
    private <B extends AwsClientBuilder<B, ?>> B configure(B builder) {
        builder.overrideConfiguration(identified());
        Optional<URI> uri = endpointUri();
        uri.ifPresent(builder::endpointOverride);
        regionName().map(Region::of).ifPresent(builder::region);
        if (uri.isPresent() && isLocal(uri.get())) {
            // An emulator accepts any credentials; do not make operators configure any for it.
            builder.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")));
            if (regionName().isEmpty()) {
                builder.region(Region.US_EAST_1);
            }
        }
        return builder;
    }

    /** The configuration every client of the tool starts from: its app id (see {@link #APP_ID_PREFIX}). */
    ClientOverrideConfiguration identified() {
        return ClientOverrideConfiguration.builder()
                .appId(APP_ID_PREFIX + (command == null ? "tool" : command.name())).build();
    }

    String events() {
        return table(eventsTable, EVENTS_OUTPUT, "--events-table");
    }

    /** The table the deployment named for a projection: its option, else its stack output. */
    String deployed(ProjectionCatalog projection) {
        String option = switch (projection) {
            case BALANCES -> balancesTable;
            case HISTORY -> historyTable;
            case TRANSFERS -> transfersTable;
            case METADATA -> metadataTable;
        };
        return table(option, projection.templateOutput(), "--" + projection.label() + "-table");
    }

    /** The table serving a projection now: its route, else the deployed one. */
    String serving(DynamoDbClient dynamo, ProjectionCatalog projection) {
        return serving(dynamo, projection.label(), deployed(projection));
    }

    String control() {
        if (controlTable != null) {
            return controlTable;
        }
        return stateFile().map(s -> s.path("outputs").path(CONTROL_OUTPUT).asText(null))
                .filter(v -> v != null && !v.isBlank())
                .orElseGet(() -> events() + "-replay");
    }

    /**
     * The table serving a projection now: the route a {@code rebuild --swap} recorded in the control
     * table, else {@code deployed}.
     */
    String serving(DynamoDbClient dynamo, String projection, String deployed) {
        try {
            return ReadRoutes.read(dynamo, control(), projection).map(ReadRoutes.Route::table).orElse(deployed);
        } catch (ResourceNotFoundException noControlTable) {
            return deployed; // nothing was ever swapped here
        }
    }

    Optional<URI> endpointUri() {
        if (endpoint != null) {
            return Optional.of(endpoint);
        }
        return stateFile().map(s -> s.path("emulatorEndpoint").asText(null)).filter(v -> v != null && !v.isBlank())
                .map(URI::create);
    }

    private Optional<String> regionName() {
        if (region != null) {
            return Optional.of(region);
        }
        if (endpoint != null) {
            return Optional.empty();
        }
        return stateFile().map(s -> s.path("region").asText(null)).filter(v -> v != null && !v.isBlank());
    }

    private String table(String option, String output, String optionName) {
        if (option != null) {
            return option;
        }
        return stateFile().map(s -> s.path("outputs").path(output).asText(null)).filter(v -> v != null && !v.isBlank())
                .orElseThrow(() -> new ConfigurationException("no table name: give " + optionName
                        + ", or run `./ledger local` so that " + stateFile + " names it (output " + output + ")"));
    }

    private Optional<JsonNode> stateFile() {
        if (!stateRead) {
            stateRead = true;
            if (stateFile != null && Files.isRegularFile(stateFile)) {
                try {
                    JsonNode node = new ObjectMapper().readTree(stateFile.toFile());
                    long pid = node.path("pid").asLong(-1);
                    if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                        throw new ConfigurationException(stateFile + " is stale: the local stack (pid " + pid
                                + ") is not running; start `./ledger local` or give --endpoint and table names");
                    }
                    state = node;
                } catch (IOException e) {
                    throw new ConfigurationException("cannot read " + stateFile + ": " + e.getMessage());
                }
            }
        }
        return Optional.ofNullable(state);
    }

    private static boolean isLocal(URI uri) {
        String host = uri.getHost();
        return host != null && (host.equals("localhost") || host.equals("127.0.0.1") || host.equals("::1")
                || host.equals("[::1]"));
    }

    /** A target the options and the state file do not describe: exit code 2, with this message. */
    static final class ConfigurationException extends RuntimeException {
        ConfigurationException(String message) {
            super(message);
        }
    }
}
