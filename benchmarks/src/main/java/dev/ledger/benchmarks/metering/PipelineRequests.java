package dev.ledger.benchmarks.metering;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Counts the AWS requests the local event-source pipeline makes, by operation: every request sent
 * from a thread of the local event-source runtime ({@code event-sources-*}, {@code event-lanes-*}),
 * which is where the pollers read the streams, write their checkpoints and invoke the publisher and
 * the projections in process. Requests of the command Lambda (HTTP server threads) and of a
 * benchmark's own threads are not the pipeline's and are left out.
 *
 * <p>The handlers build their own SDK clients, so this is registered as an SDK global interceptor
 * (the classpath file {@code software/amazon/awssdk/global/handlers/execution.interceptors}): every
 * client built in a JVM with the benchmarks on its classpath gets one instance; the counts are
 * shared. Checkpoint writes and reads (the runtime's table, {@code *-esm-checkpoints}) are counted
 * apart from the projections' own DynamoDB calls.
 */
public final class PipelineRequests implements ExecutionInterceptor {

    private static final Map<String, LongAdder> COUNTS = new ConcurrentHashMap<>();
    private static final String CHECKPOINT_TABLE_SUFFIX = "-esm-checkpoints";

    /** The SDK's global interceptor loader needs a public no-argument constructor. */
    public PipelineRequests() {
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        String thread = Thread.currentThread().getName();
        if (!thread.startsWith("event-sources-") && !thread.startsWith("event-lanes-")) {
            return;
        }
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        if (readsOrWritesCheckpoints(context.request())) {
            operation = "checkpoint " + operation;
        }
        COUNTS.computeIfAbsent(operation, k -> new LongAdder()).increment();
    }

    private static boolean readsOrWritesCheckpoints(SdkRequest request) {
        return request.getValueForField("TableName", String.class)
                .filter(table -> table.endsWith(CHECKPOINT_TABLE_SUFFIX)).isPresent();
    }

    /** The requests counted so far in this JVM, by operation (sorted). */
    public static Map<String, Long> snapshot() {
        Map<String, Long> counts = new TreeMap<>();
        COUNTS.forEach((operation, count) -> counts.put(operation, count.sum()));
        return counts;
    }

    /** What {@code later} counted beyond {@code earlier}, by operation; operations with none left out. */
    public static Map<String, Long> since(Map<String, Long> earlier, Map<String, Long> later) {
        Map<String, Long> delta = new TreeMap<>();
        later.forEach((operation, count) -> {
            long more = count - earlier.getOrDefault(operation, 0L);
            if (more > 0) {
                delta.put(operation, more);
            }
        });
        return delta;
    }
}
