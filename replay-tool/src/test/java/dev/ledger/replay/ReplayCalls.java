package dev.ledger.replay;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.infra.IamNeeds;
import dev.ledger.infra.PolicyCheck;
import dev.ledger.infra.Template;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Every AWS call the replay tool makes in this test JVM, by command, as IAM authorizes it (the
 * action, the resource as the template names it, the partition keys): an SDK interceptor registered
 * for every client on the test classpath ({@code software/amazon/awssdk/global/handlers/execution.interceptors}),
 * so the tool's own clients are seen without any hook in them. A call is the tool's when its client
 * names itself {@code app/ledger-replay-<command>} in its User-Agent ({@link Target#APP_ID_PREFIX}),
 * whatever thread makes it; the tests' own clients (workloads, projections, checks) are not.
 *
 * <p>The tests create their tables under their own names: {@link #tables} tells which table of the
 * template each one stands for, so a call on {@code <prefix>balances-rebuild-2} is a call on
 * {@code ${BalancesTable.Arn}-rebuild-2}.
 */
public final class ReplayCalls implements ExecutionInterceptor {

    /** One call of one replay command ({@code verify}, {@code rebuild}...). */
    record Call(String command, PolicyCheck.Call call) {
    }

    private static final Pattern APP_ID = Pattern.compile("app/" + Pattern.quote(Target.APP_ID_PREFIX) + "([a-z-]+)");
    private static final Pattern TABLE_ARN = Pattern.compile("\\$\\{([A-Za-z]+)\\.Arn}.*");
    private static final Map<String, String> LOGICAL_IDS = new ConcurrentHashMap<>();
    private static final Set<Call> CALLS = ConcurrentHashMap.newKeySet();
    private static volatile Template template;

    /** Names test tables: physical name -> the logical id of the template's table it stands for. */
    static void tables(Map<String, String> logicalIds) {
        LOGICAL_IDS.putAll(logicalIds);
    }

    /** The distinct calls recorded in this JVM so far. */
    static Set<Call> recorded() {
        return Set.copyOf(CALLS);
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        Optional<String> command = context.httpRequest().firstMatchingHeader("User-Agent").map(APP_ID::matcher)
                .filter(Matcher::find).map(m -> m.group(1));
        if (command.isEmpty()) {
            return;
        }
        String service = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME).toLowerCase();
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        Map<String, String> logicalIds = Map.copyOf(LOGICAL_IDS);
        for (IamNeeds.Need need : IamNeeds.of(service, operation, context.request(),
                table -> partitionKey(table, logicalIds))) {
            CALLS.add(new Call(command.get(), PolicyCheck.call(need, logicalIds)));
        }
    }

    /** The partition key attribute of a test table: its template table's (a rebuilt table has its table's). */
    private static Optional<String> partitionKey(String table, Map<String, String> logicalIds) {
        String symbolic = PolicyCheck.symbolic(table, Optional.empty(), logicalIds);
        Matcher named = TABLE_ARN.matcher(symbolic);
        if (!named.matches()) {
            return Optional.empty();
        }
        if (template == null) {
            template = Template.bundled();
        }
        for (JsonNode key : template.resource(named.group(1)).property("KeySchema")) {
            if (key.path("KeyType").asText().equals("HASH")) {
                return Optional.of(key.path("AttributeName").asText());
            }
        }
        return Optional.empty();
    }
}
