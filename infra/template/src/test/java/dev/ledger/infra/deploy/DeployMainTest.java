package dev.ledger.infra.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** deploy's command line, without AWS. */
class DeployMainTest {

    private record Run(int code, String out, String err) {
    }

    private static Run deploy(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = DeployMain.run(args, Map.of(), new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void helpDoesNotShowTheArtifactTheScriptPassesAsRequired() {
        Run run = deploy("--help");

        assertThat(run.code()).isZero();
        String synopsis = run.out().substring(0, run.out().indexOf("Upload"));
        assertThat(synopsis).contains("[--artifact=FILE]");
        assertThat(run.out().replaceAll("\\s+", " ")).contains("built and passed by");
    }

    @Test
    void helpDocumentsTheAuthModesAndTheJwtParameters() {
        String help = deploy("--help").out().replaceAll("\\s+", " ");

        assertThat(help).contains("--auth=MODE", "--jwt-issuer=URL", "--jwt-audience=AUD", "--role-claim=C",
                "--role-prefix=P", "API Gateway's JWT authorizer", "docs/jwt.md");
    }

    @Test
    void withoutAnArtifactItSaysWhereOneComesFromBeforeTouchingAws() {
        Run run = deploy("--stage", "dev", "--endpoint", "http://127.0.0.1:1");

        assertThat(run.code()).isEqualTo(DeployMain.NOT_STARTED);
        assertThat(run.err()).contains("--artifact", "./ledger deploy").doesNotContain("Exception");
    }
}
