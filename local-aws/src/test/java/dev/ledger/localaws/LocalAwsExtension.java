package dev.ledger.localaws;

import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests a real local AWS: {@code @ExtendWith(LocalAwsExtension.class)}, then take
 * {@link AwsClients} and {@link TestNames} as constructor, lifecycle-method or test-method
 * parameters.
 *
 * <p>One moto server (with the launcher's fixes) serves the whole test JVM: it starts when a test
 * first asks for {@link AwsClients} and stops when the test run ends. If the environment variable
 * {@value #ENDPOINT_ENV} holds a URL, the clients use that endpoint instead and nothing is started.
 * Each test class gets its own {@link TestNames}, so classes sharing the server never share tables.
 */
public final class LocalAwsExtension implements ParameterResolver {

    public static final String ENDPOINT_ENV = "LEDGER_AWS_ENDPOINT";

    private static final Namespace NAMESPACE = Namespace.create(LocalAwsExtension.class);
    private static final AtomicInteger TEST_CLASSES = new AtomicInteger();
    // Tells test JVMs apart when they share one long-running emulator.
    private static final String RUN_ID = Integer.toString(new SecureRandom().nextInt(36 * 36 * 36 * 36), 36);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == AwsClients.class || type == TestNames.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        if (parameter.getParameter().getType() == AwsClients.class) {
            return sharedLocalAws(context).clients();
        }
        // Keyed by the class: a store lookup also searches the enclosing contexts' stores, and a
        // @Nested class must not find its outer class's names there.
        ExtensionContext testClassContext = testClassContext(context);
        Class<?> testClass = testClassContext.getRequiredTestClass();
        return testClassContext.getStore(NAMESPACE).getOrComputeIfAbsent(
                testClass,
                key -> TestNames.forTestClass(testClass, RUN_ID, TEST_CLASSES.incrementAndGet()),
                TestNames.class);
    }

    /** The endpoint named by {@value #ENDPOINT_ENV}, if set and not blank. */
    static Optional<URI> externalEndpoint(Map<String, String> environment) {
        String value = environment.get(ENDPOINT_ENV);
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String notAUrl = ENDPOINT_ENV + " must be a URL like http://127.0.0.1:5000, not '" + value + "'";
        try {
            URI endpoint = new URI(value.strip());
            if (endpoint.getScheme() == null || endpoint.getHost() == null) {
                throw new IllegalArgumentException(notAUrl);
            }
            return Optional.of(endpoint);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(notAUrl, e);
        }
    }

    /** The root context lives for the whole test run, and JUnit closes what its store holds at the end. */
    private static SharedLocalAws sharedLocalAws(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(
                SharedLocalAws.class, key -> SharedLocalAws.open(System.getenv()), SharedLocalAws.class);
    }

    /** The context of the test class the request comes from (a method's, a nested class's own). */
    private static ExtensionContext testClassContext(ExtensionContext context) {
        ExtensionContext current = context;
        while (current.getTestMethod().isPresent() && current.getParent().isPresent()) {
            current = current.getParent().get();
        }
        return current;
    }

    /**
     * The test JVM's emulator and clients. An {@link AutoCloseable} in a store is closed by JUnit
     * when the store's context ends (JUnit 5.13 deprecated the older {@code Store.CloseableResource}).
     */
    static final class SharedLocalAws implements AutoCloseable {
        private final MotoServer server; // null when the endpoint is external
        private final AwsClients clients;

        private SharedLocalAws(MotoServer server, AwsClients clients) {
            this.server = server;
            this.clients = clients;
        }

        static SharedLocalAws open(Map<String, String> environment) {
            Optional<URI> external = externalEndpoint(environment);
            if (external.isPresent()) {
                return new SharedLocalAws(null, AwsClients.forEndpoint(external.get()));
            }
            MotoServer server = MotoServer.start();
            try {
                return new SharedLocalAws(server, AwsClients.forEndpoint(server.endpoint()));
            } catch (RuntimeException e) {
                server.close();
                throw e;
            }
        }

        AwsClients clients() {
            return clients;
        }

        @Override
        public void close() {
            try {
                clients.close();
            } finally {
                if (server != null) {
                    server.close();
                }
            }
        }
    }
}
