package dev.ledger.projections;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Sees every DynamoDB request a client sends to the emulator: counts them by operation, and can do
 * something once right after a chosen request succeeded (another writer moving an item between a
 * batch's read and its write) or refuse a chosen request before it is sent (an outage of one call).
 */
final class DynamoRequests implements ExecutionInterceptor {

    private final List<String> sent = new ArrayList<>();
    private final List<Hook> afterOnce = new ArrayList<>();
    private Predicate<SdkRequest> failing = request -> false;

    private record Hook(Predicate<SdkRequest> when, Runnable then) {
    }

    @Override
    public synchronized void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        if (failing.test(context.request())) {
            failing = request -> false;
            throw SdkClientException.create("the test refused this " + operation(context.request()));
        }
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        Runnable then = null;
        synchronized (this) {
            sent.add(operation(context.request()));
            for (Hook hook : afterOnce) {
                if (hook.when().test(context.request())) {
                    afterOnce.remove(hook);
                    then = hook.then();
                    break;
                }
            }
        }
        if (then != null) {
            then.run();
        }
    }

    /** Runs {@code then} once, after the first request that matches {@code when} succeeded. */
    synchronized void afterOnce(Predicate<SdkRequest> when, Runnable then) {
        afterOnce.add(new Hook(when, then));
    }

    /** Refuses the first request matching {@code when} (an SdkException, as throttling would be). */
    synchronized void failOnce(Predicate<SdkRequest> when) {
        failing = when;
    }

    /** Operations succeeded since the last {@link #reset}, and how many of each. */
    synchronized Map<String, Integer> counts() {
        Map<String, Integer> counts = new TreeMap<>();
        sent.forEach(operation -> counts.merge(operation, 1, Integer::sum));
        return counts;
    }

    synchronized int total() {
        return sent.size();
    }

    synchronized void reset() {
        sent.clear();
    }

    private static String operation(SdkRequest request) {
        return request.getClass().getSimpleName().replaceFirst("Request$", "");
    }
}
