package dev.ledger.infra;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.infra.TemplateRoles.Statement;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Whether a template's IAM statements allow an AWS call, and which of their grants no call used:
 * the one owner of "is this call allowed by this policy", for the functions' roles (infra/local's
 * {@code HandlerPermissions}) and the people's managed policies (replay-tool's policy-coverage IT).
 * The emulator enforces no IAM, so without these checks a new kind of call passes every local test
 * and is refused on its first request on AWS.
 *
 * <p>Resources are compared in the template's symbolic form ({@code ${EventsTable.Arn}},
 * {@code ${EventsTable.Arn}/index/pending-holds-by-expiry}, {@code ${BalancesTable.Arn}-rebuild-*}):
 * a call's physical table name is turned into it with the names of the stack's resources.
 */
public final class PolicyCheck {

    /**
     * Actions IAM lets any signed-in principal make: no statement grants them and none may be
     * required ("No permissions are required to perform this operation", STS API reference).
     */
    public static final Set<String> NEEDS_NO_GRANT = Set.of("sts:GetCallerIdentity");

    /** The one wildcard the policies use: tables the replay tool creates as {@code <deployed table>-rebuild-<n>}. */
    private static final Pattern REBUILT = Pattern.compile("(.+)(-rebuild-[0-9A-Za-z-]+)");

    /**
     * A call as IAM sees it: the action, the resource in symbolic form, and the partition keys it
     * touches (see {@link IamNeeds.Need#leadingKeys()}).
     */
    public record Call(String action, String resource, Optional<Set<String>> leadingKeys) {

        @Override
        public String toString() {
            return action + " on " + resource + leadingKeys.filter(k -> !k.isEmpty())
                    .map(k -> " (partition keys " + new TreeSet<>(k) + ")").orElse("");
        }
    }

    private PolicyCheck() {
    }

    /**
     * The call a need stands for, its resource named as the template names it.
     *
     * @param logicalIds the stack's resources: physical name (a table's name) -> logical id
     */
    public static Call call(IamNeeds.Need need, Map<String, String> logicalIds) {
        return new Call(need.action(), symbolic(need.resource(), need.index(), logicalIds), need.leadingKeys());
    }

    /**
     * A resource as the template's policies write it, e.g. {@code ${EventsTable.Arn}/index/by-expiry}
     * or {@code ${BalancesTable.Arn}-rebuild-3}; a name that is not the stack's stays itself (and
     * so matches no statement of a policy that names only the stack's resources).
     */
    public static String symbolic(String name, Optional<String> index, Map<String, String> logicalIds) {
        String base = name;
        String suffix = "";
        if (!logicalIds.containsKey(name)) {
            Matcher rebuilt = REBUILT.matcher(name);
            if (rebuilt.matches() && logicalIds.containsKey(rebuilt.group(1))) {
                base = rebuilt.group(1);
                suffix = rebuilt.group(2);
            } else {
                return name;
            }
        }
        String arn = "${" + logicalIds.get(base) + ".Arn}" + suffix;
        return index.map(i -> arn + "/index/" + i).orElse(arn);
    }

    /** Whether the statements allow the call: an Allow matches it and no Deny does. */
    public static boolean allows(List<Statement> statements, Call call) {
        if (NEEDS_NO_GRANT.contains(call.action())) {
            return true;
        }
        boolean allowed = false;
        for (Statement statement : statements) {
            if (matches(statement, call)) {
                if (statement.effect().equals("Deny")) {
                    return false;
                }
                allowed |= statement.effect().equals("Allow");
            }
        }
        return allowed;
    }

    /** The calls the statements do not allow, sorted, one line each. */
    public static Set<String> refused(List<Statement> statements, Collection<Call> calls) {
        return calls.stream().filter(call -> !allows(statements, call)).map(Call::toString)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * Each grant (action x resource of an Allow statement) that no call used, as
     * {@code <statement>: <action> on <resource>}: what a least-privilege policy must not hold.
     */
    public static Set<String> unused(List<Statement> statements, Collection<Call> calls) {
        Set<String> unused = new TreeSet<>();
        for (int i = 0; i < statements.size(); i++) {
            Statement statement = statements.get(i);
            if (!statement.effect().equals("Allow")) {
                continue;
            }
            String name = statement.sid().orElse("statement " + (i + 1));
            for (String action : statement.actions()) {
                for (String resource : statement.symbolicResources()) {
                    boolean used = calls.stream().anyMatch(call -> call.action().equals(action)
                            && resourceMatches(resource, call.resource()) && conditionHolds(statement.condition(), call));
                    if (!used) {
                        unused.add(name + ": " + action + " on " + resource);
                    }
                }
            }
        }
        return unused;
    }

    private static boolean matches(Statement statement, Call call) {
        return statement.actions().contains(call.action())
                && statement.symbolicResources().stream().anyMatch(granted -> resourceMatches(granted, call.resource()))
                && conditionHolds(statement.condition(), call);
    }

    private static boolean resourceMatches(String granted, String resource) {
        if (!granted.contains("*")) {
            return granted.equals(resource);
        }
        String regex = Arrays.stream(granted.split("\\*", -1)).map(Pattern::quote).collect(Collectors.joining(".*"));
        return resource.matches(regex);
    }

    /**
     * The conditions the policies use, evaluated as IAM does: {@code ForAllValues:StringEquals} on
     * {@code dynamodb:LeadingKeys} holds when every partition key the call touches is listed (and so
     * for a call on no item at all, which is why such a statement grants only item actions). A call
     * whose keys are not known does not satisfy it; any other condition is refused loudly rather than
     * guessed.
     */
    private static boolean conditionHolds(JsonNode condition, Call call) {
        if (condition.isMissingNode()) {
            return true;
        }
        for (Iterator<Map.Entry<String, JsonNode>> operators = condition.fields(); operators.hasNext(); ) {
            Map.Entry<String, JsonNode> operator = operators.next();
            for (Iterator<Map.Entry<String, JsonNode>> keys = operator.getValue().fields(); keys.hasNext(); ) {
                Map.Entry<String, JsonNode> key = keys.next();
                boolean like = operator.getKey().equals("ForAllValues:StringLike");
                if (!(like || operator.getKey().equals("ForAllValues:StringEquals"))
                        || !key.getKey().equals("dynamodb:LeadingKeys")) {
                    throw new IllegalArgumentException("the policy check does not evaluate the condition "
                            + operator.getKey() + " " + key.getKey() + ": teach PolicyCheck, or use another condition");
                }
                List<String> listed = Template.texts(key.getValue());
                if (call.leadingKeys().isEmpty() || !call.leadingKeys().get().stream().allMatch(leading ->
                        listed.stream().anyMatch(pattern -> like ? stringLike(pattern, leading) : pattern.equals(leading)))) {
                    return false;
                }
            }
        }
        return true;
    }

    /** IAM's StringLike: {@code *} any run of characters, {@code ?} one; everything else literal, case-sensitive. */
    static boolean stringLike(String pattern, String value) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        }
        return value.matches(regex.toString());
    }
}
