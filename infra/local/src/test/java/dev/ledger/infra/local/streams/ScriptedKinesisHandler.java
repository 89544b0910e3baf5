package dev.ledger.infra.local.streams;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent.KinesisEventRecord;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A test handler on a Kinesis stream, built like every handler through its no-arg constructor.
 * What it does is scripted per function name (the runtime's tests give each mapping its own
 * function), and every event it gets is recorded: the records' data as text, in order.
 */
public final class ScriptedKinesisHandler implements RequestHandler<KinesisEvent, StreamsEventResponse> {

    /** What the function does with one event: its response, or an exception. */
    @FunctionalInterface
    public interface Script {
        StreamsEventResponse handle(List<KinesisEventRecord> records, int invocation);
    }

    private static final Map<String, Script> SCRIPTS = new ConcurrentHashMap<>();
    private static final Map<String, List<KinesisEvent>> EVENTS = new ConcurrentHashMap<>();

    public static void script(String functionName, Script script) {
        SCRIPTS.put(functionName, script);
        EVENTS.put(functionName, Collections.synchronizedList(new ArrayList<>()));
    }

    /** The events the function got, oldest first. */
    public static List<KinesisEvent> events(String functionName) {
        return List.copyOf(EVENTS.getOrDefault(functionName, List.of()));
    }

    /** Each invocation's records' data, as text. */
    public static List<List<String>> invocations(String functionName) {
        return events(functionName).stream().map(event -> event.getRecords().stream().map(ScriptedKinesisHandler::data)
                .toList()).toList();
    }

    public static String data(KinesisEventRecord record) {
        ByteBuffer buffer = record.getKinesis().getData().duplicate();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** A response naming these records as failed. */
    public static StreamsEventResponse failed(String... sequenceNumbers) {
        List<StreamsEventResponse.BatchItemFailure> failures = new ArrayList<>();
        for (String sequenceNumber : sequenceNumbers) {
            failures.add(new StreamsEventResponse.BatchItemFailure(sequenceNumber));
        }
        return new StreamsEventResponse(failures);
    }

    @Override
    public StreamsEventResponse handleRequest(KinesisEvent event, Context context) {
        List<KinesisEvent> events = EVENTS.computeIfAbsent(context.getFunctionName(),
                name -> Collections.synchronizedList(new ArrayList<>()));
        events.add(event);
        Script script = SCRIPTS.getOrDefault(context.getFunctionName(), (records, invocation) -> new StreamsEventResponse());
        return script.handle(event.getRecords(), events.size());
    }
}
