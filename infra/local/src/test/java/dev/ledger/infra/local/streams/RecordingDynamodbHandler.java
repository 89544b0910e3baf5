package dev.ledger.infra.local.streams;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A test handler on a DynamoDB stream that keeps every event it gets, per function name, and succeeds. */
public final class RecordingDynamodbHandler implements RequestHandler<DynamodbEvent, StreamsEventResponse> {

    private static final Map<String, List<DynamodbEvent>> EVENTS = new ConcurrentHashMap<>();

    public static List<DynamodbEvent> events(String functionName) {
        return List.copyOf(EVENTS.getOrDefault(functionName, List.of()));
    }

    @Override
    public StreamsEventResponse handleRequest(DynamodbEvent event, Context context) {
        EVENTS.computeIfAbsent(context.getFunctionName(), name -> Collections.synchronizedList(new ArrayList<>()))
                .add(event);
        return new StreamsEventResponse();
    }
}
