package dev.ledger.infra.local;

import dev.ledger.infra.IamNeeds;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Every AWS call a template function's handler makes in this test JVM, as the IAM action it needs
 * and the resource it names: an SDK interceptor registered for every client on the test classpath
 * ({@code software/amazon/awssdk/global/handlers/execution.interceptors}), so the handlers' own
 * clients are seen without any hook in them. A call is a function's when its handler runs on the
 * calling thread ({@link LocalFunction#running()}); the event-source runtime's own reads (what
 * Lambda's mappings do with the role) are not. What IAM authorizes each request as is
 * {@link IamNeeds}'s to say (infra/template's test jar), shared with the replay tool's policy check.
 */
public final class HandlerCalls implements ExecutionInterceptor {

    /** One call: which function (its logical id), and what IAM authorizes it as. */
    public record Call(String function, IamNeeds.Need need) {
    }

    private static final Set<String> WATCHED = ConcurrentHashMap.newKeySet();
    private static final Set<Call> CALLS = ConcurrentHashMap.newKeySet();

    /** Starts recording the calls of these functions (logical ids), forgetting any recorded before. */
    public static void watch(Set<String> functions) {
        WATCHED.clear();
        WATCHED.addAll(functions);
        CALLS.clear();
    }

    /** The distinct calls recorded since {@link #watch}. */
    public static Set<Call> recorded() {
        return Set.copyOf(CALLS);
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        if (WATCHED.isEmpty()) {
            return;
        }
        Optional<String> function = LocalFunction.running().filter(WATCHED::contains);
        if (function.isEmpty()) {
            return;
        }
        // IAM's prefix: the SDK's service name without spaces ("Secrets Manager" -> secretsmanager).
        String service = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME).toLowerCase().replace(" ", "");
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        // No partition keys: no role of a function grants on a dynamodb:LeadingKeys condition, so none
        // is needed (a role that did would see its calls refused here, loudly, until it is taught).
        for (IamNeeds.Need need : IamNeeds.of(service, operation, context.request(), table -> Optional.empty())) {
            CALLS.add(new Call(function.get(), need));
        }
    }
}
