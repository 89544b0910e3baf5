package dev.ledger.infra.local.streams;

import java.lang.reflect.Type;

/** A function the runtime invokes with the events of a stream, in-process. */
public interface StreamFunction {

    /** The function's name, as Lambda's context reports it. */
    String functionName();

    String functionArn();

    /** The event type its handler declares (RequestHandler's first type argument). */
    Type inputType();

    /** Invokes the handler with one event; its exceptions are the function's errors. */
    Object invoke(Object event);

    /** The class loader of the handler, which the event types are deserialized with. */
    default ClassLoader classLoader() {
        return getClass().getClassLoader();
    }
}
