package dev.ledger.localaws;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * System properties set for a test (how a handler built by its no-arg constructor is configured here:
 * the configuration reads them when no environment variable is set), and put back as they were.
 */
public final class SystemProperties {

    private final Map<String, String> previous = new LinkedHashMap<>();

    private SystemProperties() {
    }

    /** Sets every property, remembering the value each had (or that it had none). */
    public static SystemProperties set(Map<String, String> properties) {
        SystemProperties set = new SystemProperties();
        properties.forEach((name, value) -> {
            set.previous.put(name, System.getProperty(name));
            System.setProperty(name, value);
        });
        return set;
    }

    /** Puts every property back as it was before {@link #set}. */
    public void restore() {
        previous.forEach((name, value) -> {
            if (value == null) {
                System.clearProperty(name);
            } else {
                System.setProperty(name, value);
            }
        });
    }
}
