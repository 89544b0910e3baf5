package dev.ledger.infra.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ConsoleAssetsTest {

    @Test
    void owns_the_console_path_and_nothing_that_only_starts_like_it() {
        assertThat(ConsoleAssets.owns("/console")).isTrue();
        assertThat(ConsoleAssets.owns("/console/")).isTrue();
        assertThat(ConsoleAssets.owns("/console/console.js")).isTrue();
        assertThat(ConsoleAssets.owns("/consoles")).isFalse();
        assertThat(ConsoleAssets.owns("/accounts/console")).isFalse();
        assertThat(ConsoleAssets.owns("/")).isFalse();
    }

    @Test
    void the_page_comes_with_a_policy_that_allows_this_origin_only() {
        LocalHttpResponse page = ConsoleAssets.answer("GET", "/console/", "req-1");

        assertThat(page.status()).isEqualTo(200);
        assertThat(header(page, "Content-Type")).contains("text/html; charset=utf-8");
        assertThat(header(page, "Content-Security-Policy")).hasValueSatisfying(policy -> assertThat(policy)
                .contains("default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"));
        assertThat(header(page, "X-Content-Type-Options")).contains("nosniff");
        assertThat(new String(page.body(), StandardCharsets.UTF_8)).contains("<script src=\"console.js\" defer>");
        assertThat(ConsoleAssets.answer("GET", "/console/index.html", "req-2").body()).isEqualTo(page.body());
    }

    @Test
    void every_input_and_choice_of_the_page_has_its_own_label() {
        String page = new String(ConsoleAssets.answer("GET", "/console/", "r").body(), StandardCharsets.UTF_8);
        List<String> controls = new ArrayList<>();
        Matcher control = Pattern.compile("<(?:input|select)\\b[^>]*\\bid=\"([^\"]+)\"").matcher(page);
        while (control.find()) {
            controls.add(control.group(1));
        }

        // The search form, the basis choice and the history's order among them.
        assertThat(controls).contains("search-prefix", "search-currency", "search-status", "search-metadata",
                "basis-recorded", "basis-effective", "history-order", "transfers-limit");
        for (String id : controls) {
            assertThat(page).as(id).containsOnlyOnce("<label for=\"" + id + "\">");
        }
        assertThat(Pattern.compile("<(?:input|select)\\b(?![^>]*\\bid=)[^>]*>").matcher(page).find())
                .as("an input or select without an id (so without a label)").isFalse();
    }

    @Test
    void each_file_has_its_type_and_the_bare_path_leads_to_the_directory() {
        assertThat(header(ConsoleAssets.answer("GET", "/console/console.js", "r"), "Content-Type"))
                .contains("text/javascript; charset=utf-8");
        for (String script : new String[] {"api.js", "page.js"}) {
            assertThat(header(ConsoleAssets.answer("GET", "/console/" + script, "r"), "Content-Type")).as(script)
                    .contains("text/javascript; charset=utf-8");
        }
        assertThat(header(ConsoleAssets.answer("GET", "/console/console.css", "r"), "Content-Type"))
                .contains("text/css; charset=utf-8");
        LocalHttpResponse bare = ConsoleAssets.answer("GET", "/console", "r");
        assertThat(bare.status()).isEqualTo(301);
        assertThat(header(bare, "Location")).contains("/console/");
        assertThat(ConsoleAssets.answer("HEAD", "/console/", "r").status()).isEqualTo(200);
    }

    @Test
    void nothing_but_the_consoles_files_is_served_and_only_to_get_and_head() {
        for (String path : new String[] {"/console/../pom.xml", "/console/..%2Fpom.xml", "/console/console.js%00",
                "/console/simplelogger.properties", "/console/dev/ledger/infra/local/ConsoleAssets.class",
                "/console/console/index.html", "/console/INDEX.HTML", "/console//index.html"}) {
            LocalHttpResponse answer = ConsoleAssets.answer("GET", path, "r");
            assertThat(answer.status()).as(path).isEqualTo(404);
            assertThat(new String(answer.body(), StandardCharsets.UTF_8)).as(path).isEqualTo("{\"message\":\"Not Found\"}");
        }
        for (String method : new String[] {"POST", "PUT", "DELETE", "OPTIONS"}) {
            assertThat(ConsoleAssets.answer(method, "/console/", "r").status()).as(method).isEqualTo(404);
        }
    }

    private static Optional<String> header(LocalHttpResponse response, String name) {
        return response.headers().stream().filter(h -> h.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
                .findFirst();
    }
}
