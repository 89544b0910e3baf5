package dev.ledger.infra.local;

import dev.ledger.infra.Template;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/** The template's functions that the deployed stack creates, loaded in this JVM, by logical id. */
final class LocalFunctions {

    private final Map<String, LocalFunction> byLogicalId;

    private LocalFunctions(Map<String, LocalFunction> byLogicalId) {
        this.byLogicalId = byLogicalId;
    }

    /**
     * @param onClose given each function as it loads
     */
    static LocalFunctions load(Template template, Map<String, String> parameters, Map<String, String> physicalIds,
                               String region, String accountId, Consumer<AutoCloseable> onClose) {
        Map<String, LocalFunction> functions = new LinkedHashMap<>();
        for (Template.Function spec : template.functions()) {
            if (!template.isCreated(spec.logicalId(), parameters)) {
                continue;
            }
            String name = physicalIds.getOrDefault(spec.logicalId(), spec.logicalId());
            LocalFunction function = LocalFunction.load(spec, name,
                    "arn:aws:lambda:" + region + ":" + accountId + ":function:" + name);
            onClose.accept(function);
            functions.put(spec.logicalId(), function);
        }
        return new LocalFunctions(functions);
    }

    Map<String, LocalFunction> byLogicalId() {
        return byLogicalId;
    }

    /** The function a route, authorizer or schedule ({@code user}) needs; it fails if the stage does not create it. */
    LocalFunction require(String logicalId, String user) {
        LocalFunction function = byLogicalId.get(logicalId);
        if (function == null) {
            throw new IllegalStateException("The " + user + " needs function " + logicalId
                    + ", which is not created on Stage=" + LocalStack.STAGE);
        }
        return function;
    }
}
