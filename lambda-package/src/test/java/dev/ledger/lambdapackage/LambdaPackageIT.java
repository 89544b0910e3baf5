package dev.ledger.lambdapackage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.http.ApiTokens;
import dev.ledger.http.Role;
import dev.ledger.infra.Template;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.SystemProperties;
import dev.ledger.localaws.TestNames;
import dev.ledger.store.EventsTableSchema;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The artifact {@code ./ledger deploy} uploads, on its own: loaded by a class loader that sees
 * nothing but the shaded jar (and the JDK), as Lambda's runtime loads it. Each handler the
 * template names is there and builds its SDK clients (service files, endpoint rules, interceptors
 * all survived shading), and one of them talks to the emulator through the shaded SDK.
 */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class LambdaPackageIT {

    private static final String REQUEST_HANDLER = "com.amazonaws.services.lambda.runtime.RequestHandler";
    private static final String TOKEN = "package-test-token";

    private final AwsClients aws;
    private final TestNames names;
    private final Path artifact = Path.of(System.getProperty("lambda.artifact", "target/lambda-package.jar"));
    private SystemProperties configured;
    private URLClassLoader jarOnly;
    private String eventsTable;
    private String tokenSecret;

    LambdaPackageIT(AwsClients aws, TestNames names) {
        this.aws = aws;
        this.names = names;
    }

    @BeforeAll
    void configureTheHandlersAsLambdaWould() throws IOException {
        assertThat(artifact).as("the shaded jar (mvn package)").isRegularFile();
        jarOnly = new URLClassLoader(new URL[] {artifact.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
        eventsTable = names.table("events");
        EventsTableSchema.create(aws.dynamoDb(), eventsTable);
        // The handlers read environment variables, else system properties of the same names.
        Map<String, String> configuration = new LinkedHashMap<>();
        configuration.put("LEDGER_EVENTS_TABLE", eventsTable);
        tokenSecret = names.table("api-token-digests");
        aws.secretsManager().createSecret(r -> r.name(tokenSecret).secretString(
                ApiTokens.storedForm(List.of(ApiTokens.StoredToken.of("package-test", Role.PAYMENTS, TOKEN)))));
        configuration.put("LEDGER_API_TOKEN_SECRET", tokenSecret);
        configuration.put("LEDGER_KINESIS_STREAM", names.stream("ledger"));
        configuration.put("LEDGER_BALANCES_TABLE", names.table("balances"));
        configuration.put("LEDGER_HISTORY_TABLE", names.table("history"));
        configuration.put("LEDGER_TRANSFERS_TABLE", names.table("transfers"));
        configuration.put("LEDGER_METADATA_TABLE", names.table("metadata"));
        configuration.put("LEDGER_DEAD_LETTER_QUEUE_URL", aws.endpoint() + "/123456789012/" + names.queue("dlq"));
        configuration.put("LEDGER_AWS_ENDPOINT", aws.endpoint().toString());
        configuration.put("aws.region", AwsClients.REGION.id());
        configuration.put("aws.accessKeyId", "local");
        configuration.put("aws.secretAccessKey", "local");
        configured = SystemProperties.set(configuration);
    }

    @AfterAll
    void restore() throws IOException {
        if (configured != null) {
            configured.restore();
        }
        jarOnly.close();
    }

    @Test
    void every_handler_the_template_names_loads_from_the_jar_alone_and_builds_its_clients() throws Exception {
        List<Template.Function> functions = Template.bundled().functions();
        assertThat(functions).hasSizeGreaterThanOrEqualTo(8);
        for (Template.Function function : functions) {
            Class<?> handler = Class.forName(function.handlerClass(), true, jarOnly);

            assertThat(handler.getClassLoader()).as(function.logicalId()).isSameAs(jarOnly);
            assertThat(Class.forName(REQUEST_HANDLER, false, jarOnly).isAssignableFrom(handler))
                    .as("%s implements the jar's RequestHandler", function.handlerClass()).isTrue();
            assertThat(handler.getConstructor().newInstance()).as(function.logicalId()).isNotNull();
        }
    }

    @Test
    void the_sweeper_from_the_jar_alone_queries_the_emulator_through_the_shaded_sdk() throws Exception {
        Class<?> sweeperClass = Class.forName("dev.ledger.functions.sweeper.HoldExpirySweeperHandler", true, jarOnly);
        Object sweeper = sweeperClass.getConstructor().newInstance();
        Method handle = Arrays.stream(sweeperClass.getMethods())
                .filter(m -> m.getName().equals("handleRequest") && !m.isBridge())
                .findFirst().orElseThrow();

        Object summary = handle.invoke(sweeper, null, null);

        assertThat(summary).isEqualTo("{\"sweep\":\"sweep:manual\",\"expired\":0}");
    }

    @Test
    void the_authorizer_from_the_jar_alone_reads_the_token_secret_through_the_shaded_sdk() throws Exception {
        Class<?> authorizerClass = Class.forName("dev.ledger.functions.api.TokenAuthorizerHandler", true, jarOnly);
        Class<?> eventClass = Class.forName("com.amazonaws.services.lambda.runtime.events.APIGatewayV2CustomAuthorizerEvent",
                true, jarOnly);
        Object authorizer = authorizerClass.getConstructor().newInstance();
        Object event = eventClass.getConstructor().newInstance();
        eventClass.getMethod("setHeaders", Map.class).invoke(event, Map.of("authorization", "Bearer " + TOKEN));
        Method handle = Arrays.stream(authorizerClass.getMethods())
                .filter(m -> m.getName().equals("handleRequest") && !m.isBridge())
                .findFirst().orElseThrow();

        Object response = handle.invoke(authorizer, event, null);

        assertThat(response).isEqualTo(Map.of("isAuthorized", true,
                "context", Map.of("role", "payments", "subject", "package-test")));
    }

    @Test
    void the_jar_holds_one_http_client_and_declares_its_multi_release_classes() throws IOException {
        try (JarFile jar = new JarFile(artifact.toFile())) {
            String services = new String(jar.getInputStream(jar.getEntry(
                    "META-INF/services/software.amazon.awssdk.http.SdkHttpService")).readAllBytes(), StandardCharsets.UTF_8);
            assertThat(services.lines().filter(line -> !line.isBlank() && !line.startsWith("#")))
                    .containsExactly("software.amazon.awssdk.http.urlconnection.UrlConnectionSdkHttpService");
            assertThat(jar.getManifest().getMainAttributes().getValue("Multi-Release")).isEqualTo("true");
            assertThat(jar.stream().map(e -> e.getName()))
                    .noneMatch(name -> name.startsWith("io/netty/") || name.startsWith("org/apache/hc/"));
        }
    }

    /** The enforcer's ship-without-test-libraries rule keeps these off the path; this checks the result. */
    @Test
    void the_jar_holds_no_test_library_and_no_test_support() throws IOException {
        List<String> testOnly = List.of("org/junit/", "junit/", "org/opentest4j/", "org/apiguardian/",
                "org/assertj/", "org/hamcrest/", "org/awaitility/", "com/tngtech/archunit/",
                "dev/ledger/localaws/", "dev/ledger/benchmarks/");
        try (JarFile jar = new JarFile(artifact.toFile())) {
            assertThat(jar.stream().map(e -> e.getName()).filter(name -> testOnly.stream().anyMatch(name::startsWith)))
                    .as("test libraries or test support in %s", artifact)
                    .isEmpty();
        }
    }
}
