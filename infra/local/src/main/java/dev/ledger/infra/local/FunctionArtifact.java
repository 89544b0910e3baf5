package dev.ledger.infra.local;

import dev.ledger.infra.Template;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The Lambda artifact the local stack uploads when it deploys the template: the jar that holds the
 * handler classes (ledger-functions), which is what AWS would run. moto cannot run Java, so when
 * the classes come from a directory (an IDE, a test) a small placeholder jar stands in.
 */
final class FunctionArtifact {

    private FunctionArtifact() {
    }

    /**
     * @param onClose given what deletes a placeholder jar, when one is written
     */
    static Path find(Template template, Consumer<AutoCloseable> onClose) {
        for (Template.Function function : template.functions()) {
            try {
                CodeSource source = Class.forName(function.handlerClass(), false, LocalStack.class.getClassLoader())
                        .getProtectionDomain().getCodeSource();
                if (source != null && source.getLocation() != null) {
                    Path location = Path.of(source.getLocation().toURI());
                    if (Files.isRegularFile(location)) {
                        return location;
                    }
                }
            } catch (ClassNotFoundException | URISyntaxException | SecurityException | IllegalArgumentException e) {
                // try the next function; a missing class is reported when the functions load
            }
        }
        return placeholder(onClose);
    }

    private static Path placeholder(Consumer<AutoCloseable> onClose) {
        try {
            Path jar = Files.createTempFile("ledger-functions-placeholder", ".jar");
            try (OutputStream out = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(out)) {
                zip.putNextEntry(new ZipEntry("README.txt"));
                zip.write(("Placeholder code for the emulator, which cannot run Java: the local stack runs the"
                        + " handlers in-process.\n").getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
            onClose.accept(() -> Files.deleteIfExists(jar));
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write a placeholder artifact", e);
        }
    }
}
