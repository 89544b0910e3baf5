package dev.ledger.infra.demo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A command line that runs another main class in a new JVM with this JVM's own runtime and class
 * path: from the infra jar, its manifest Class-Path (target/lib) comes along, so the child sees
 * exactly the classes this process sees (the local stack, the replay tool).
 */
final class ChildJvm {

    private ChildJvm() {
    }

    static List<String> command(String mainClass, List<String> arguments) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(arguments);
        return command;
    }
}
