package dev.ledger.infra.local;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The system properties the in-process handlers read their configuration from (they read them
 * when no environment variable of the name is set), and what those properties were before, so
 * that {@link #restore()} can put them back.
 */
final class HandlerProperties {

    private final Map<String, String> previous = new LinkedHashMap<>();

    /** Sets them all, or none if an environment variable would shadow one with another value. */
    void set(Map<String, String> properties) {
        properties.forEach((name, value) -> {
            String fromEnvironment = System.getenv(name);
            if (fromEnvironment != null && !fromEnvironment.isBlank() && !fromEnvironment.equals(value)) {
                throw new IllegalStateException("The environment variable " + name + " is set, and the handlers would"
                        + " read it instead of the local stack's value; unset it to run the local stack");
            }
        });
        properties.forEach((name, value) -> {
            previous.putIfAbsent(name, System.getProperty(name));
            System.setProperty(name, value);
        });
    }

    void restore() {
        previous.forEach((name, value) -> {
            if (value == null) {
                System.clearProperty(name);
            } else {
                System.setProperty(name, value);
            }
        });
        previous.clear();
    }
}
