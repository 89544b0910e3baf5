package dev.ledger.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The CloudFormation template ({@code infra/template.yaml}) as data: its functions (handler class
 * and method, memory, timeout, environment, role), the HTTP routes and their authorizer,
 * schedules and event source mappings. The local stack runs what this describes, and tests check
 * it (the roles' IAM policies too), so the template stays the one description of the system.
 *
 * <p>Values that are intrinsic function calls stay unevaluated {@link JsonNode}s in CloudFormation's
 * long form ({@code {"Ref": "EventsTable"}}); {@link Intrinsics#symbolic(JsonNode)} shows them
 * readably and {@link #resolver(StackFacts)} evaluates them against a deployed stack.
 */
public final class Template {

    /** Where the template sits on the classpath (the build copies infra/template.yaml there). */
    public static final String CLASSPATH_RESOURCE = "/dev/ledger/infra/template.yaml";

    public static final String FUNCTION = "AWS::Lambda::Function";
    public static final String ROLE = "AWS::IAM::Role";
    public static final String EVENT_SOURCE_MAPPING = "AWS::Lambda::EventSourceMapping";
    public static final String ALIAS = "AWS::Lambda::Alias";
    public static final String VERSION = "AWS::Lambda::Version";
    public static final String ROUTE = "AWS::ApiGatewayV2::Route";
    public static final String INTEGRATION = "AWS::ApiGatewayV2::Integration";
    public static final String AUTHORIZER = "AWS::ApiGatewayV2::Authorizer";
    public static final String RULE = "AWS::Events::Rule";
    public static final String DYNAMODB_TABLE = "AWS::DynamoDB::Table";
    public static final String KINESIS_STREAM = "AWS::Kinesis::Stream";

    private final String body;
    private final ObjectNode root;
    private final Map<String, Resource> resources;

    private Template(String body, ObjectNode root) {
        this.body = body;
        this.root = root;
        Map<String, Resource> map = new LinkedHashMap<>();
        JsonNode resourcesNode = root.path("Resources");
        if (!resourcesNode.isObject() || resourcesNode.isEmpty()) {
            throw new IllegalArgumentException("A template needs a Resources mapping");
        }
        resourcesNode.fields().forEachRemaining(entry -> map.put(entry.getKey(), Resource.of(entry.getKey(), entry.getValue())));
        this.resources = Collections.unmodifiableMap(map);
    }

    /** The template shipped on the classpath. */
    public static Template bundled() {
        try (InputStream in = Template.class.getResourceAsStream(CLASSPATH_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(CLASSPATH_RESOURCE + " is not on the classpath; build the infra module");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Template read(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the template " + file, e);
        }
    }

    public static Template parse(String yaml) {
        return new Template(yaml, TemplateYaml.parse(yaml));
    }

    /** The template's text, exactly as read: what a deployer sends to CloudFormation. */
    public String body() {
        return body;
    }

    /** The whole template as JSON, short-form tags in long form. */
    public JsonNode root() {
        return root;
    }

    // ----------------------------------------------------------------------------------------
    // Generic structure
    // ----------------------------------------------------------------------------------------

    /** One entry of Resources. */
    public record Resource(String logicalId, String type, Optional<String> condition, ObjectNode properties,
                           Set<String> dependsOn) {

        static Resource of(String logicalId, JsonNode node) {
            String type = node.path("Type").asText(null);
            if (type == null) {
                throw new IllegalArgumentException("Resource " + logicalId + " has no Type");
            }
            JsonNode properties = node.path("Properties");
            Set<String> dependsOn = new LinkedHashSet<>();
            JsonNode depends = node.path("DependsOn");
            if (depends.isTextual()) {
                dependsOn.add(depends.asText());
            } else {
                depends.forEach(d -> dependsOn.add(d.asText()));
            }
            return new Resource(logicalId, type, Optional.ofNullable(node.path("Condition").asText(null)),
                    properties.isObject() ? (ObjectNode) properties : JsonNodeFactory.instance.objectNode(),
                    Set.copyOf(dependsOn));
        }

        public JsonNode property(String name) {
            return properties.path(name);
        }
    }

    public record Parameter(String name, String type, Optional<String> defaultValue, boolean noEcho) {
    }

    public record Output(String name, JsonNode value, Optional<String> condition) {
    }

    public Map<String, Resource> resources() {
        return resources;
    }

    public Resource resource(String logicalId) {
        Resource resource = resources.get(logicalId);
        if (resource == null) {
            throw new IllegalArgumentException("The template has no resource " + logicalId);
        }
        return resource;
    }

    public List<Resource> resourcesOfType(String type) {
        return resources.values().stream().filter(r -> r.type().equals(type)).toList();
    }

    public Map<String, Parameter> parameters() {
        Map<String, Parameter> parameters = new LinkedHashMap<>();
        root.path("Parameters").fields().forEachRemaining(entry -> {
            JsonNode p = entry.getValue();
            parameters.put(entry.getKey(), new Parameter(entry.getKey(), p.path("Type").asText("String"),
                    Optional.ofNullable(p.get("Default")).map(JsonNode::asText),
                    p.path("NoEcho").asBoolean(false) || "true".equals(p.path("NoEcho").asText())));
        });
        return parameters;
    }

    public Map<String, Output> outputs() {
        Map<String, Output> outputs = new LinkedHashMap<>();
        root.path("Outputs").fields().forEachRemaining(entry -> outputs.put(entry.getKey(), new Output(entry.getKey(),
                entry.getValue().path("Value"), Optional.ofNullable(entry.getValue().path("Condition").asText(null)))));
        return outputs;
    }

    public Set<String> conditionNames() {
        Set<String> names = new LinkedHashSet<>();
        root.path("Conditions").fieldNames().forEachRemaining(names::add);
        return names;
    }

    // ----------------------------------------------------------------------------------------
    // Functions (their roles' policies are read by the tests: see TemplateRoles in test sources)
    // ----------------------------------------------------------------------------------------

    /**
     * An AWS::Lambda::Function.
     *
     * @param handlerClass the class of {@code Handler: class::method}
     * @param environment Environment.Variables, values unevaluated
     * @param roleLogicalId the AWS::IAM::Role its Role refers to
     * @param snapStartApplyOn SnapStart.ApplyOn, if set
     */
    public record Function(String logicalId, String handlerClass, String handlerMethod, String runtime,
                           int memorySize, int timeoutSeconds, Map<String, JsonNode> environment,
                           String roleLogicalId, Optional<String> snapStartApplyOn, Optional<String> condition) {
    }

    public List<Function> functions() {
        return resourcesOfType(FUNCTION).stream().map(r -> function(r.logicalId())).toList();
    }

    public Function function(String logicalId) {
        Resource resource = requireType(logicalId, FUNCTION);
        String handler = resource.property("Handler").asText("");
        if (handler.isBlank()) {
            throw new IllegalArgumentException("Function " + logicalId + " has no Handler");
        }
        int separator = handler.indexOf("::");
        String handlerClass = separator < 0 ? handler : handler.substring(0, separator);
        String handlerMethod = separator < 0 ? "handleRequest" : handler.substring(separator + 2);
        Map<String, JsonNode> environment = new LinkedHashMap<>();
        resource.property("Environment").path("Variables").fields()
                .forEachRemaining(entry -> environment.put(entry.getKey(), entry.getValue()));
        String role = referencedOfType(resource.property("Role"), ROLE).orElseThrow(() ->
                new IllegalArgumentException("Function " + logicalId + " must name a role of this template"));
        JsonNode applyOn = resource.property("SnapStart").path("ApplyOn");
        return new Function(logicalId, handlerClass, handlerMethod, resource.property("Runtime").asText(null),
                resource.property("MemorySize").asInt(128), resource.property("Timeout").asInt(3),
                Collections.unmodifiableMap(environment), role,
                applyOn.isMissingNode() ? Optional.empty() : Optional.of(applyOn.asText()), resource.condition());
    }

    // ----------------------------------------------------------------------------------------
    // HTTP API, schedules, event source mappings
    // ----------------------------------------------------------------------------------------

    /**
     * An AWS::ApiGatewayV2::Route with the function behind its integration.
     *
     * @param routeKey e.g. {@code POST /accounts/{accountId}/freeze}, or {@code $default}
     * @param authorizationType NONE, CUSTOM, JWT or AWS_IAM
     */
    public record Route(String logicalId, String routeKey, String method, String path, String authorizationType,
                        Optional<String> authorizerLogicalId, String functionLogicalId, Optional<String> condition) {
    }

    /**
     * An AWS::ApiGatewayV2::Authorizer of type JWT: API Gateway itself checks the token against the
     * issuer's keys, issuer and audience (no function). Issuer and audience stay unevaluated (a
     * parameter's {@code Ref}, the audience a {@code Fn::Split} of one).
     */
    public record JwtAuthorizer(String logicalId, List<String> identitySources, JsonNode issuer, JsonNode audience) {
    }

    /** An AWS::ApiGatewayV2::Authorizer of type REQUEST backed by a function. */
    public record Authorizer(String logicalId, String functionLogicalId, List<String> identitySources,
                             String payloadFormatVersion, boolean simpleResponses, int resultTtlSeconds) {
    }

    /** An AWS::Events::Rule with a schedule, and the functions it targets. */
    public record Schedule(String logicalId, String expression, boolean enabled, List<String> functionLogicalIds) {
    }

    /**
     * An AWS::Lambda::EventSourceMapping, with AWS's defaults where the template says nothing
     * (empty optionals stand for "AWS default").
     *
     * @param eventSourceLogicalId the resource its EventSourceArn refers to (a table for its stream, a Kinesis stream)
     * @param eventSourceType that resource's type, e.g. {@code AWS::DynamoDB::Table} or {@code AWS::Kinesis::Stream}
     * @param parallelizationFactor the ParallelizationFactor as written (a number or an expression such as
     *     {@code !Ref} of a parameter); evaluate it against the stack's parameters
     * @param onFailureDestinationLogicalId the resource of DestinationConfig.OnFailure.Destination
     */
    public record EventSourceMapping(String logicalId, Optional<String> condition, JsonNode eventSourceArn,
                                     String eventSourceLogicalId, String eventSourceType, String functionLogicalId,
                                     boolean enabled,
                                     OptionalInt batchSize, Optional<String> startingPosition,
                                     OptionalInt maximumBatchingWindowInSeconds, boolean bisectBatchOnFunctionError,
                                     OptionalInt maximumRetryAttempts, OptionalInt maximumRecordAgeInSeconds,
                                     Optional<JsonNode> parallelizationFactor, List<String> functionResponseTypes,
                                     Optional<JsonNode> onFailureDestination,
                                     Optional<String> onFailureDestinationLogicalId) {

        public boolean reportsBatchItemFailures() {
            return functionResponseTypes.contains("ReportBatchItemFailures");
        }

        /** Whether it reads a DynamoDB table's stream (else a Kinesis stream). */
        public boolean readsDynamoDbStream() {
            return eventSourceType.equals(DYNAMODB_TABLE);
        }
    }

    /** The routes as they are with every parameter at its default (e.g. AuthMode=tokens). */
    public List<Route> routes() {
        return routes(Map.of());
    }

    /**
     * The routes as CloudFormation would create them for these parameter values (the others at their
     * defaults): a route's {@code Fn::If} on AuthorizationType and AuthorizerId picks its branch.
     */
    public List<Route> routes(Map<String, String> parameters) {
        Intrinsics.Resolver conditions = resolver(StackFacts.parametersOnly(Map.of()), withDefaults(parameters));
        return resourcesOfType(ROUTE).stream().map(resource -> route(resource, conditions)).toList();
    }

    private Route route(Resource resource, Intrinsics.Resolver conditions) {
        String routeKey = resource.property("RouteKey").asText("");
        String method = "ANY";
        String path = routeKey;
        int space = routeKey.indexOf(' ');
        if (space > 0) {
            method = routeKey.substring(0, space);
            path = routeKey.substring(space + 1);
        }
        Optional<String> authorizer = referencedOfType(
                Intrinsics.chooseBranches(resource.property("AuthorizerId"), conditions), AUTHORIZER);
        String function = functionBehind(resource.property("Target")).orElseThrow(() -> new IllegalArgumentException(
                "Route " + resource.logicalId() + " does not lead to a function of this template"));
        return new Route(resource.logicalId(), routeKey, method, path,
                Intrinsics.chooseBranches(resource.property("AuthorizationType"), conditions).asText("NONE"), authorizer,
                function, resource.condition());
    }

    /** An authorizer's AuthorizerType: REQUEST (a Lambda authorizer) or JWT. */
    public String authorizerType(String logicalId) {
        return requireType(logicalId, AUTHORIZER).property("AuthorizerType").asText("REQUEST");
    }

    public JwtAuthorizer jwtAuthorizer(String logicalId) {
        Resource resource = requireType(logicalId, AUTHORIZER);
        if (!authorizerType(logicalId).equals("JWT")) {
            throw new IllegalArgumentException("Authorizer " + logicalId + " is not of type JWT");
        }
        JsonNode configuration = resource.property("JwtConfiguration");
        return new JwtAuthorizer(logicalId, texts(resource.property("IdentitySource")), configuration.path("Issuer"),
                configuration.path("Audience"));
    }

    public Authorizer authorizer(String logicalId) {
        Resource resource = requireType(logicalId, AUTHORIZER);
        String function = functionBehind(resource.property("AuthorizerUri")).orElseThrow(() ->
                new IllegalArgumentException("Authorizer " + logicalId + " does not lead to a function of this template"));
        return new Authorizer(logicalId, function, texts(resource.property("IdentitySource")),
                resource.property("AuthorizerPayloadFormatVersion").asText("2.0"),
                resource.property("EnableSimpleResponses").asBoolean(false),
                resource.property("AuthorizerResultTtlInSeconds").asInt(0));
    }

    public List<Schedule> schedules() {
        List<Schedule> schedules = new ArrayList<>();
        for (Resource rule : resourcesOfType(RULE)) {
            String expression = rule.property("ScheduleExpression").asText(null);
            if (expression == null) {
                continue;
            }
            List<String> functions = new ArrayList<>();
            for (JsonNode target : rule.property("Targets")) {
                functionBehind(target.path("Arn")).ifPresent(functions::add);
            }
            schedules.add(new Schedule(rule.logicalId(), expression,
                    !"DISABLED".equals(rule.property("State").asText("ENABLED")), List.copyOf(functions)));
        }
        return schedules;
    }

    public List<EventSourceMapping> eventSourceMappings() {
        List<EventSourceMapping> mappings = new ArrayList<>();
        for (Resource resource : resourcesOfType(EVENT_SOURCE_MAPPING)) {
            JsonNode source = resource.property("EventSourceArn");
            String sourceId = Intrinsics.references(source).stream().filter(resources::containsKey).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("Event source mapping " + resource.logicalId()
                            + " must take its EventSourceArn from a resource of this template"));
            String function = functionBehind(resource.property("FunctionName")).orElseThrow(() ->
                    new IllegalArgumentException("Event source mapping " + resource.logicalId()
                            + " does not lead to a function of this template"));
            JsonNode destination = resource.property("DestinationConfig").path("OnFailure").path("Destination");
            Optional<JsonNode> onFailure = destination.isMissingNode() ? Optional.empty() : Optional.of(destination);
            Optional<String> onFailureId = onFailure.flatMap(d ->
                    Intrinsics.references(d).stream().filter(resources::containsKey).findFirst());
            mappings.add(new EventSourceMapping(resource.logicalId(), resource.condition(), source, sourceId,
                    resources.get(sourceId).type(), function,
                    resource.property("Enabled").asBoolean(true),
                    optionalInt(resource.property("BatchSize")),
                    Optional.ofNullable(resource.property("StartingPosition").asText(null)),
                    optionalInt(resource.property("MaximumBatchingWindowInSeconds")),
                    resource.property("BisectBatchOnFunctionError").asBoolean(false),
                    optionalInt(resource.property("MaximumRetryAttempts")),
                    optionalInt(resource.property("MaximumRecordAgeInSeconds")),
                    expression(resource.property("ParallelizationFactor")),
                    texts(resource.property("FunctionResponseTypes")), onFailure, onFailureId));
        }
        return mappings;
    }

    /**
     * The function an expression leads to: directly ({@code !GetAtt F.Arn}, {@code !Ref F}), or
     * through an alias, a version, an API integration ({@code integrations/${I}}) or an ARN built
     * with Fn::Sub around one of those.
     */
    public Optional<String> functionBehind(JsonNode expression) {
        Deque<String> pending = new ArrayDeque<>(Intrinsics.references(expression));
        Set<String> seen = new HashSet<>();
        while (!pending.isEmpty()) {
            String name = pending.removeFirst();
            Resource resource = resources.get(name);
            if (resource == null || !seen.add(name)) {
                continue;
            }
            switch (resource.type()) {
                case FUNCTION -> {
                    return Optional.of(name);
                }
                case ALIAS, VERSION -> pending.addAll(Intrinsics.references(resource.property("FunctionName")));
                case INTEGRATION -> pending.addAll(Intrinsics.references(resource.property("IntegrationUri")));
                default -> {
                    // not a way to a function
                }
            }
        }
        return Optional.empty();
    }

    // ----------------------------------------------------------------------------------------
    // Conditions and evaluation
    // ----------------------------------------------------------------------------------------

    /**
     * What a deployed (or about to be deployed) stack knows: parameter values, pseudo parameters,
     * physical ids of resources and attribute values ({@code "LogicalId.Attribute"} keys).
     */
    public record StackFacts(Map<String, String> parameters, String stackName, String region, String accountId,
                             Map<String, String> physicalIds, Map<String, String> attributes) {

        public StackFacts {
            parameters = Map.copyOf(parameters);
            physicalIds = Map.copyOf(physicalIds);
            attributes = Map.copyOf(attributes);
        }

        /** Facts enough to evaluate conditions: parameters only. */
        public static StackFacts parametersOnly(Map<String, String> parameters) {
            return new StackFacts(parameters, "stack", "us-east-1", "000000000000", Map.of(), Map.of());
        }
    }

    /** The parameter values CloudFormation would use: the given ones over the defaults. */
    public Map<String, String> parameterValues(Map<String, String> given) {
        Map<String, String> values = new LinkedHashMap<>();
        parameters().values().forEach(p -> p.defaultValue().ifPresent(d -> values.put(p.name(), d)));
        values.putAll(given);
        for (String name : given.keySet()) {
            if (!parameters().containsKey(name)) {
                throw new IllegalArgumentException("The template has no parameter " + name);
            }
        }
        for (Parameter parameter : parameters().values()) {
            if (!values.containsKey(parameter.name())) {
                throw new IllegalArgumentException("Parameter " + parameter.name() + " has no value and no default");
            }
        }
        return values;
    }

    /** Evaluates expressions of this template against the facts of a stack. */
    public Intrinsics.Resolver resolver(StackFacts facts) {
        return resolver(facts, parameterValues(facts.parameters()));
    }

    /** The given values over the defaults, without asking for the parameters that have neither. */
    private Map<String, String> withDefaults(Map<String, String> given) {
        Map<String, String> values = new LinkedHashMap<>();
        parameters().values().forEach(p -> p.defaultValue().ifPresent(d -> values.put(p.name(), d)));
        values.putAll(given);
        return values;
    }

    private Intrinsics.Resolver resolver(StackFacts facts, Map<String, String> parameters) {
        Map<String, Boolean> conditions = new HashMap<>();
        return new Intrinsics.Resolver() {
            @Override
            public JsonNode ref(String name) {
                String value = switch (name) {
                    case "AWS::Region" -> facts.region();
                    case "AWS::AccountId" -> facts.accountId();
                    case "AWS::StackName" -> facts.stackName();
                    case "AWS::Partition" -> facts.region().startsWith("cn-") ? "aws-cn" : "aws";
                    case "AWS::URLSuffix" -> facts.region().startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
                    default -> parameters.containsKey(name) ? parameters.get(name) : facts.physicalIds().get(name);
                };
                if (value == null) {
                    throw new IllegalArgumentException("Nothing known for Ref " + name);
                }
                return JsonNodeFactory.instance.textNode(value);
            }

            @Override
            public JsonNode getAtt(String logicalId, String attribute) {
                String value = facts.attributes().get(logicalId + "." + attribute);
                if (value == null) {
                    throw new IllegalArgumentException("Nothing known for Fn::GetAtt " + logicalId + "." + attribute);
                }
                return JsonNodeFactory.instance.textNode(value);
            }

            @Override
            public boolean condition(String name) {
                Boolean known = conditions.get(name);
                if (known != null) {
                    return known;
                }
                JsonNode expression = root.path("Conditions").get(name);
                if (expression == null) {
                    throw new IllegalArgumentException("The template has no condition " + name);
                }
                boolean holds = Intrinsics.evaluateCondition(expression, this);
                conditions.put(name, holds);
                return holds;
            }
        };
    }

    public boolean conditionHolds(String condition, Map<String, String> parameters) {
        return resolver(StackFacts.parametersOnly(parameters)).condition(condition);
    }

    /** Whether CloudFormation creates the resource for these parameter values (its Condition holds, or it has none). */
    public boolean isCreated(String logicalId, Map<String, String> parameters) {
        return resource(logicalId).condition().map(c -> conditionHolds(c, parameters)).orElse(true);
    }

    // ----------------------------------------------------------------------------------------

    private Resource requireType(String logicalId, String type) {
        Resource resource = resource(logicalId);
        if (!resource.type().equals(type)) {
            throw new IllegalArgumentException(logicalId + " is a " + resource.type() + ", not a " + type);
        }
        return resource;
    }

    private Optional<String> referencedOfType(JsonNode expression, String type) {
        return Intrinsics.references(expression).stream()
                .filter(name -> resources.containsKey(name) && resources.get(name).type().equals(type))
                .findFirst();
    }

    static List<String> texts(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return List.of();
        }
        if (node.isArray()) {
            List<String> texts = new ArrayList<>();
            node.forEach(n -> texts.add(n.asText()));
            return List.copyOf(texts);
        }
        return List.of(node.asText());
    }

    static List<JsonNode> nodes(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return List.of();
        }
        if (node.isArray()) {
            List<JsonNode> list = new ArrayList<>();
            for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
                list.add(it.next());
            }
            return List.copyOf(list);
        }
        return List.of(node);
    }

    private static Optional<JsonNode> expression(JsonNode node) {
        return node == null || node.isMissingNode() || node.isNull() ? Optional.empty() : Optional.of(node);
    }

    private static OptionalInt optionalInt(JsonNode node) {
        return node == null || node.isMissingNode() || node.isNull() ? OptionalInt.empty() : OptionalInt.of(node.asInt());
    }
}
