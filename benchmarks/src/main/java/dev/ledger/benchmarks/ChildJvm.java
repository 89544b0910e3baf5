package dev.ledger.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A fresh JVM on this JVM's own classpath, for figures that only a new process shows (startup,
 * first request, the heap of one run). Its {@code probe.NAME=VALUE} lines on stdout are its
 * figures; everything else it prints is passed on to this process's stderr (the run's log).
 */
final class ChildJvm {

    /** How the child ended: its exit code, its probe values, and the wall time from launch to exit. */
    record Finished(int exit, Map<String, String> probes, double wallMillis) {
        String probe(String name) {
            String value = probes.get(name);
            if (value == null) {
                throw new IllegalStateException("the child printed no probe." + name + ": " + probes);
            }
            return value;
        }

        double millis(String name) {
            return Double.parseDouble(probe(name));
        }
    }

    private ChildJvm() {
    }

    static Finished run(List<String> jvmOptions, String mainClass, List<String> args, long timeoutMinutes)
            throws IOException, InterruptedException {
        return run(jvmOptions, Map.of(), mainClass, args, timeoutMinutes);
    }

    /**
     * As {@link #run(List, String, List, long)}, with environment variables set for the child (as
     * Lambda sets a function's {@code Environment}); an empty value removes the variable.
     */
    static Finished run(List<String> jvmOptions, Map<String, String> environment, String mainClass, List<String> args,
                        long timeoutMinutes) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(args);
        long started = System.nanoTime();
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        environment.forEach((name, value) -> {
            if (value.isEmpty()) {
                builder.environment().remove(name);
            } else {
                builder.environment().put(name, value);
            }
        });
        Process process = builder.start();
        Map<String, String> probes = new HashMap<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                int equals = line.indexOf('=');
                if (line.startsWith("probe.") && equals > 0) {
                    probes.put(line.substring("probe.".length(), equals), line.substring(equals + 1));
                } else {
                    System.err.println("[" + mainClass.substring(mainClass.lastIndexOf('.') + 1) + "] " + line);
                }
            }
        }
        if (!process.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException(mainClass + " did not finish in " + timeoutMinutes + " minutes");
        }
        return new Finished(process.exitValue(), probes, (System.nanoTime() - started) / 1e6);
    }
}
