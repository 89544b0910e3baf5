package dev.ledger.benchmarks;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;
import java.io.ByteArrayInputStream;
import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ClassLoadingMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.crac.Resource;

/**
 * One handler's cold start, in the fresh JVM it runs in: the handler class built through its
 * public no-arg constructor (what the Lambda runtime calls in its init phase: clients, tables and
 * tokens from the environment), then two requests, each timed alone. The two events are read from
 * JSON files with the Lambda Java runtime's own serializer before the clock starts, since on AWS
 * that is the runtime's work, not the handler's.
 *
 * <p>With {@code prime} as a fifth argument, the handler's SnapStart priming
 * ({@link Resource#beforeCheckpoint}, what Lambda runs before it takes the snapshot) runs after the
 * constructor and is timed alone: the requests after it show what a restored environment still has
 * to do (this JVM cannot checkpoint; the restore itself is AWS's and is not in these figures).
 *
 * <p>Arguments: handler class, event class, first event file, second event file, optionally
 * {@code prime}. Prints {@code probe.} lines: mainAt (ms from JVM start to main), constructMs,
 * primeMs (0 without priming), firstMs, secondMs, cpuToFirstMs (the process's CPU time from the
 * constructor's start to the first request's end, priming included) and cpuFirstMs (the first
 * request's alone), the classes loaded by the end
 * of construction (with priming) and of the first request, and each request's outcome, which the
 * caller checks.
 */
public final class ColdStartProbe {

    private ColdStartProbe() {
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    public static void main(String[] args) throws Exception {
        long mainAt = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
        Class<?> eventType = Class.forName(args[1]);
        Object first = read(eventType, Path.of(args[2]));
        Object second = read(eventType, Path.of(args[3]));

        boolean prime = args.length > 4 && "prime".equals(args[4]);
        ClassLoadingMXBean classes = ManagementFactory.getClassLoadingMXBean();
        // The whole process's CPU time (every thread: class loading, the JIT's compiler threads, GC):
        // what a share of a core, as Lambda gives a function by its memory, has to get through.
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpuStarted = os.getProcessCpuTime();

        long started = System.nanoTime();
        RequestHandler handler = (RequestHandler) Class.forName(args[0]).getConstructor().newInstance();
        long constructed = System.nanoTime();
        if (prime) {
            ((Resource) handler).beforeCheckpoint(null);
        }
        long primed = System.nanoTime();
        long cpuPrimed = os.getProcessCpuTime();
        long classesReady = classes.getTotalLoadedClassCount();
        Object firstResult = handler.handleRequest(first, null);
        long firstDone = System.nanoTime();
        long classesFirst = classes.getTotalLoadedClassCount();
        long cpuFirst = os.getProcessCpuTime();
        Object secondResult = handler.handleRequest(second, null);
        long secondDone = System.nanoTime();

        System.out.println("probe.mainAt=" + mainAt);
        System.out.println("probe.constructMs=" + (constructed - started) / 1e6);
        System.out.println("probe.primeMs=" + (primed - constructed) / 1e6);
        System.out.println("probe.firstMs=" + (firstDone - primed) / 1e6);
        System.out.println("probe.cpuToFirstMs=" + (cpuFirst - cpuStarted) / 1e6);
        System.out.println("probe.cpuFirstMs=" + (cpuFirst - cpuPrimed) / 1e6);
        System.out.println("probe.classesReady=" + classesReady);
        System.out.println("probe.classesFirst=" + classesFirst);
        System.out.println("probe.secondMs=" + (secondDone - firstDone) / 1e6);
        System.out.println("probe.firstOutcome=" + outcome(firstResult));
        System.out.println("probe.secondOutcome=" + outcome(secondResult));
        System.exit(0); // the SDK's idle connection reapers must not hold the process open
    }

    private static Object read(Class<?> type, Path file) throws Exception {
        PojoSerializer<?> serializer = LambdaEventSerializers.isLambdaSupportedEvent(type.getName())
                ? LambdaEventSerializers.serializerFor(type, ColdStartProbe.class.getClassLoader())
                : JacksonFactory.getInstance().getSerializer(type);
        return serializer.fromJson(new ByteArrayInputStream(Files.readAllBytes(file)));
    }

    /** What the caller checks: an HTTP status, a count of failed records, an authorization, a summary. */
    private static String outcome(Object result) {
        if (result instanceof APIGatewayV2HTTPResponse http) {
            return "status " + http.getStatusCode();
        } else if (result instanceof StreamsEventResponse batch) {
            return "failed records " + (batch.getBatchItemFailures() == null ? 0 : batch.getBatchItemFailures().size());
        } else if (result instanceof Map<?, ?> map) {
            return "authorized " + map.get("isAuthorized");
        }
        return String.valueOf(result);
    }
}
