package dev.ledger.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.infra.PolicyCheck;
import dev.ledger.infra.Template;
import dev.ledger.infra.TemplateRoles;
import dev.ledger.infra.TemplateRoles.Statement;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Least privilege for people (issue 15, section 2): the template's {@code LedgerOperatorPolicy}
 * allows every call the replay tool made in this module's integration tests, and grants no action on
 * no resource that none of them used; {@code LedgerAuditorPolicy} the same for the calls of
 * {@code verify}, {@code state} and {@code export}. The emulator enforces no IAM: without this a
 * new call in the tool passes every local test and is refused on an operator's first run on AWS,
 * and a grant nothing uses stays in the policy unnoticed.
 *
 * <p>The calls are recorded by {@link ReplayCalls} while the other ITs run; this class runs after
 * all of them in the same JVM ({@link PolicyCoverageRunsLast}). Run alone it has nothing to check
 * and fails, naming the commands it did not see: run it with the module's other ITs
 * ({@code -Dit.test='dev/ledger/replay/*IT'}, or the module's whole verify).
 */
class ReplayPolicyCoverageIT {

    private static final Set<String> AUDITOR_COMMANDS = Set.of("verify", "state", "export", "audit");
    private static final Set<String> OPERATOR_COMMANDS = Set.of("verify", "state", "export", "audit", "rebuild",
            "checkpoints");

    private final Template template = Template.bundled();

    @Test
    void theOperatorPolicyAllowsEveryCallTheReplayToolMade() {
        Set<PolicyCheck.Call> calls = callsOf(OPERATOR_COMMANDS);

        assertThat(PolicyCheck.refused(statements("LedgerOperatorPolicy"), calls))
                .as("calls of ./ledger replay that LedgerOperatorPolicy does not allow (IAM would refuse them on AWS);"
                        + " recorded:%n%s", listing(OPERATOR_COMMANDS)).isEmpty();
    }

    @Test
    void theOperatorPolicyGrantsNothingTheReplayToolDidNotUse() {
        Set<String> unused = PolicyCheck.unused(statements("LedgerOperatorPolicy"), callsOf(OPERATOR_COMMANDS));

        assertThat(unused).as("grants of LedgerOperatorPolicy no call of ./ledger replay used; recorded:%n%s",
                listing(OPERATOR_COMMANDS)).isEmpty();
    }

    @Test
    void theAuditorPolicyAllowsEveryCallOfVerifyStateAndExport() {
        Set<PolicyCheck.Call> calls = callsOf(AUDITOR_COMMANDS);

        assertThat(PolicyCheck.refused(statements("LedgerAuditorPolicy"), calls))
                .as("calls of replay verify, state and export that LedgerAuditorPolicy does not allow; recorded:%n%s",
                        listing(AUDITOR_COMMANDS)).isEmpty();
    }

    @Test
    void theAuditorPolicyGrantsNothingVerifyStateAndExportDidNotUse() {
        assertThat(PolicyCheck.unused(statements("LedgerAuditorPolicy"), callsOf(AUDITOR_COMMANDS)))
                .as("grants of LedgerAuditorPolicy no call of verify, state, export or audit used; recorded:%n%s",
                        listing(AUDITOR_COMMANDS)).isEmpty();
    }

    private List<Statement> statements(String policy) {
        return TemplateRoles.managedPolicy(template, policy).statements();
    }

    /** The calls of these commands; each must have made some, or there is nothing to check. */
    private static Set<PolicyCheck.Call> callsOf(Set<String> commands) {
        Set<ReplayCalls.Call> recorded = ReplayCalls.recorded();
        Set<String> seen = recorded.stream().map(ReplayCalls.Call::command).collect(Collectors.toSet());
        assertThat(seen).as("replay commands whose AWS calls were recorded in this JVM: this IT checks the calls"
                + " of the module's other ITs, run before it in the same JVM (-Dit.test='dev/ledger/replay/*IT')").containsAll(commands);
        return recorded.stream().filter(call -> commands.contains(call.command())).map(ReplayCalls.Call::call)
                .collect(Collectors.toSet());
    }

    /** command -> what it called (action on resource), one a line, for the failure messages. */
    private static String listing(Set<String> commands) {
        Set<String> lines = new TreeSet<>();
        ReplayCalls.recorded().stream().filter(call -> commands.contains(call.command())).forEach(call ->
                lines.add("  " + call.command() + ": " + call.call().action() + " on " + call.call().resource()));
        return String.join(System.lineSeparator(), lines);
    }
}
