package dev.ledger.infra.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.domain.api.StreamId;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The auditors' console in a real browser: Debian's headless chromium driven through its own
 * chromedriver (never a downloaded one), on a local stack with a seeded workload. Every page's
 * numbers are checked against the API's answers, and each page is saved as a screenshot under
 * {@code target/console-screenshots/}.
 */
@ExtendWith(LocalAwsExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ConsoleIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** Debian's packages (`apt-get install chromium chromium-driver`; .ci/run installs them). */
    private static final String CHROMEDRIVER = System.getProperty("ledger.chromedriver", "/usr/bin/chromedriver");
    private static final String CHROMIUM = System.getProperty("ledger.chromium", "/usr/bin/chromium");
    /** Waits are for conditions (a page's answer, a projection, a file); the bound only guards against a hang. */
    private static final Duration HANG_GUARD = Duration.ofMinutes(3);
    private static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
    private static final Path VERIFIER = Path.of("..", "..", "docs", "verify_chain.py");

    @TempDir
    static Path directory;
    private static LocalStack stack;
    private static String payments;
    private static String auditor;
    private static Path downloads;
    private static WebDriver browser;
    private static WebDriverWait wait;

    @BeforeAll
    static void start(AwsClients aws, TestNames names) throws Exception {
        stack = LocalStack.start(LocalStack.Options.defaults()
                .withPort(0)
                .withEmulator(aws.endpoint())
                .withStackName(names.stack("ledger"))
                .withCodeBucket(names.bucket("code"))
                .withStateFile(directory.resolve("local.json")));
        payments = stack.token("payments").orElseThrow();
        auditor = stack.token("auditor").orElseThrow();
        List<StreamId> streams = new ConsoleWorkload(uri(""), payments).seed();
        new ProjectionsAgainstLog(stack.clients().dynamoDb(), stack.outputs())
                .awaitCaughtUp(streams, HANG_GUARD, () -> "");

        Files.createDirectories(SCREENSHOTS);
        downloads = Files.createDirectories(directory.resolve("downloads"));
        // Selenium Manager is never asked: the driver's executable and the browser's binary are given.
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        // --no-sandbox: CI runs as root, where chromium's sandbox refuses to start.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1800");
        options.setExperimentalOption("prefs", Map.of("download.default_directory", downloads.toString(),
                "download.prompt_for_download", false));
        browser = new ChromeDriver(service, options);
        wait = new WebDriverWait(browser, HANG_GUARD);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void the_console_is_served_without_a_token_and_the_api_behind_it_still_needs_one() throws Exception {
        HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(uri("/console/")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> bare = HTTP.send(HttpRequest.newBuilder(uri("/console")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> other = HTTP.send(HttpRequest.newBuilder(uri("/console/..%2Fpom.xml")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> account = HTTP.send(HttpRequest.newBuilder(uri("/accounts/alice")).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type")).contains("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("content-security-policy").orElseThrow())
                .contains("script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'");
        assertThat(page.body()).contains("<label for=\"token\">");
        assertThat(bare.statusCode()).isEqualTo(301);
        assertThat(bare.headers().firstValue("location")).contains("/console/");
        assertThat(other.statusCode()).isEqualTo(404);
        assertThat(account.statusCode()).isEqualTo(401);
    }

    @Test
    @Order(2)
    void a_wrong_token_is_refused_with_the_apis_own_message() {
        browser.get(uri("/console/").toString());
        signIn("not-a-token");
        openAccount("alice");

        WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("error")));
        assertThat(error.getText()).contains("Forbidden", "HTTP 403");
        browser.findElement(By.id("sign-out")).click();
    }

    @Test
    @Order(3)
    void an_auditor_opens_an_account_and_sees_the_apis_balances_and_a_valid_hash_chain() throws Exception {
        browser.get(uri("/console/").toString());
        signIn(auditor);
        openAccount("alice");
        JsonNode account = get("/accounts/alice");
        JsonNode verify = get("/audit/accounts/alice/verify");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("account-verify"), "Valid"));
        wait.until(d -> rows("history").size() == 20);

        assertThat(fact("account-summary", "Balance")).isEqualTo(account.path("balance").asText() + " EUR");
        assertThat(fact("account-summary", "Available")).isEqualTo(account.path("available").asText() + " EUR");
        assertThat(fact("account-summary", "Pending debits (holds)")).isEqualTo(account.path("debitsPending").asText() + " EUR");
        assertThat(fact("account-summary", "Status")).isEqualTo("OPEN");
        assertThat(browser.findElement(By.id("account-verify")).getText())
                .contains(verify.path("events").asText() + " events", verify.path("headHash").asText());
        // The token is in this tab's sessionStorage only: no cookie, nothing in localStorage.
        JavascriptExecutor js = (JavascriptExecutor) browser;
        assertThat(js.executeScript("return sessionStorage.getItem('ledger.console.token')")).isEqualTo(auditor);
        assertThat(js.executeScript("return localStorage.length")).isEqualTo(0L);
        assertThat(js.executeScript("return document.cookie")).isEqualTo("");
        // Keyboard and screen-reader users land on the page's heading.
        assertThat(browser.switchTo().activeElement().getAttribute("id")).isEqualTo("account-title");
        screenshot("account");
    }

    @Test
    @Order(4)
    void its_history_pages_forward_and_back_as_the_api_pages_it() throws Exception {
        new Select(browser.findElement(By.id("history-limit"))).selectByVisibleText("10");
        browser.findElement(By.id("history-apply")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("history-caption"), "page 1 (10 entries)"));
        JsonNode first = get("/accounts/alice/history?limit=10");
        JsonNode second = get("/accounts/alice/history?limit=10&cursor="
                + URLEncoder.encode(first.path("nextCursor").asText(), StandardCharsets.UTF_8));
        assertThat(column("history", 0)).isEqualTo(values(first.path("entries"), "version"));

        browser.findElement(By.id("history-next")).sendKeys(Keys.ENTER);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("history-caption"), "page 2"));
        assertThat(column("history", 0)).isEqualTo(values(second.path("entries"), "version"));
        assertThat(column("history", 7)).isEqualTo(values(second.path("entries"), "balanceAfter"));
        screenshot("history");

        browser.findElement(By.id("history-previous")).sendKeys(Keys.SPACE);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("history-caption"), "page 1"));
        assertThat(column("history", 0)).isEqualTo(values(first.path("entries"), "version"));
        assertThat(browser.findElement(By.id("history-previous")).isEnabled()).isFalse();

        // A date range: before the ledger existed there is nothing, and the page says so.
        browser.findElement(By.id("history-from")).sendKeys("2020-01-01T00:00:00Z");
        browser.findElement(By.id("history-to")).sendKeys("2020-01-02T00:00:00Z", Keys.ENTER);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("history-caption"), "(0 entries)"));
        assertThat(column("history", 0)).containsExactly("no entries in this range");
        // The range bounds the account's transfers too (by when each was recorded).
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("transfers-caption"), "(0 transfers"));
        assertThat(column("transfers", 0)).containsExactly("none recorded in this range");
        browser.findElement(By.id("history-from")).clear();
        browser.findElement(By.id("history-to")).clear();
        browser.findElement(By.id("history-apply")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("history-caption"), "page 1 (10 entries)"));
    }

    @Test
    @Order(5)
    void a_balance_as_of_an_instant_is_the_one_the_api_gives() throws Exception {
        // The instant of alice's 12th event: the balance then, folded from the log.
        JsonNode entry = get("/accounts/alice/history?limit=12").path("entries").get(11);
        String asOf = entry.path("recordedAt").asText();
        JsonNode expected = get("/accounts/alice/balance?asOf=" + asOf);

        WebElement input = browser.findElement(By.id("as-of"));
        input.clear();
        input.sendKeys(asOf);
        browser.findElement(By.id("as-of-show")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("as-of-result"), "Balance at"));

        assertThat(browser.findElement(By.id("as-of-result")).getText()).isEqualTo("Balance at " + asOf + " (recorded basis): "
                + expected.path("balance").asText() + " EUR (after version " + expected.path("version").asText() + ")");
        screenshot("balance-as-of");

        // Picked from the history instead: the 5th entry's recorded time (page 1 shows versions 1 to 10).
        JsonNode fifth = get("/accounts/alice/history?limit=5").path("entries").get(4);
        JsonNode then = get("/accounts/alice/balance?asOf=" + fifth.path("recordedAt").asText());
        browser.findElement(By.cssSelector("#history tbody tr:nth-child(5) td:nth-child(2) button")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("as-of-result"),
                "Balance at " + fifth.path("recordedAt").asText()));
        assertThat(browser.findElement(By.id("as-of-result")).getText()).isEqualTo("Balance at "
                + fifth.path("recordedAt").asText() + " (recorded basis): " + then.path("balance").asText() + " EUR (after version "
                + then.path("version").asText() + ")");
        assertThat(then.path("balance").asText()).isEqualTo(fifth.path("balanceAfter").asText());
    }

    @Test
    @Order(6)
    void the_export_downloads_the_accounts_events_and_verify_chain_checks_them() throws Exception {
        browser.findElement(By.id("export")).click();
        Path file = downloads.resolve("alice-events.jsonl");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("export-result"), "Exported"));
        // Chromium writes the download to a .crdownload file and renames it when done.
        await().atMost(HANG_GUARD).until(() -> Files.exists(file));
        long events = get("/audit/accounts/alice/verify").path("events").asLong();

        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize((int) events);
        Process python = new ProcessBuilder(System.getenv().getOrDefault("LEDGER_PYTHON", "python3"),
                VERIFIER.toString(), file.toString()).redirectErrorStream(true).start();
        python.getOutputStream().close();
        String report = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(python.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(python.exitValue()).as(report).isZero();
        assertThat(report).contains("account:alice ok", "OK: 1 streams, " + events + " events");
        screenshot("export");
    }

    @Test
    @Order(7)
    void a_transfer_shows_its_legs_status_history_and_reversals() throws Exception {
        browser.findElement(By.linkText("Search accounts")).click();
        WebElement id = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("open-transfer-id")));
        id.sendKeys("p-0");
        browser.findElement(By.id("open-transfer")).click();
        wait.until(d -> rows("transfer-reversals").size() == 1);
        JsonNode transfer = get("/transfers/p-0");

        assertThat(fact("transfer-summary", "Amount")).isEqualTo(transfer.path("amount").asText() + " EUR");
        assertThat(fact("transfer-summary", "Reversed")).isEqualTo("0.50 EUR");
        assertThat(fact("transfer-summary", "Status")).isEqualTo("POSTED");
        assertThat(column("transfer-legs", 1)).containsExactly("alice", "bob");
        assertThat(column("transfer-legs", 2)).containsExactly("debit", "credit");
        assertThat(column("transfer-legs", 3)).containsExactly(transfer.path("amount").asText(),
                transfer.path("amount").asText());
        assertThat(column("transfer-statuses", 0)).isEqualTo(values(transfer.path("statusHistory"), "status"));
        assertThat(column("transfer-reversals", 0)).containsExactly("r-1");
        screenshot("transfer");
    }

    @Test
    @Order(8)
    void a_transaction_shows_every_entry_and_a_link_leads_to_each_account() throws Exception {
        browser.get(uri("/console/#/transaction/tx-1").toString());
        wait.until(d -> rows("transfer-legs").size() == 3);

        assertThat(column("transfer-legs", 1)).containsExactly("alice", "shop", "fees");
        assertThat(column("transfer-legs", 2)).containsExactly("debit", "credit", "credit");
        assertThat(column("transfer-legs", 3)).containsExactly("10.00", "9.71", "0.29");
        assertThat(fact("transfer-metadata", "order")).isEqualTo("A-18");
        assertThat(column("transfer-reversals", 0)).containsExactly("none");
        screenshot("transaction");

        browser.findElement(By.linkText("fees")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("account-title"), "Account fees"));
        wait.until(d -> fact("account-summary", "Balance").equals("0.29 EUR"));
    }

    @Test
    @Order(9)
    void amounts_of_a_currency_without_minor_digits_are_shown_as_the_api_gives_them() throws Exception {
        openAccount("yen-alice");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("account-title"), "yen-alice"));
        wait.until(d -> !fact("account-summary", "Balance").isEmpty());

        assertThat(get("/accounts/yen-alice").path("balance").asText()).isEqualTo("1500");
        assertThat(fact("account-summary", "Balance")).isEqualTo("1500 JPY");
    }

    @Test
    @Order(10)
    void an_unknown_account_shows_the_apis_message() throws Exception {
        openAccount("nobody");

        WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("error")));
        assertThat(error.getText()).isEqualTo("account nobody does not exist (account_not_found, HTTP 404)");
        screenshot("error");
    }


    @Test
    @Order(11)
    void a_search_by_id_prefix_lists_the_apis_accounts_each_linking_to_its_page() throws Exception {
        WebElement prefix = searchPage();
        prefix.sendKeys("yen-", Keys.ENTER);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("accounts-caption"), "page 1"));
        JsonNode expected = get("/accounts?idPrefix=yen-&limit=20").path("accounts");

        assertThat(column("accounts", 0)).containsExactly("yen-alice", "yen-bank")
                .isEqualTo(values(expected, "accountId"));
        assertThat(column("accounts", 3)).isEqualTo(values(expected, "balance").stream().map(b -> b + " JPY").toList());
        assertThat(column("accounts", 1)).isEqualTo(values(expected, "status"));
        assertThat(browser.findElement(By.id("accounts-next")).isEnabled()).isFalse();

        browser.findElement(By.linkText("yen-alice")).sendKeys(Keys.ENTER);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("account-title"), "Account yen-alice"));
    }

    @Test
    @Order(12)
    void a_search_by_currency_and_status_pages_by_the_apis_cursor() throws Exception {
        searchPage();
        browser.findElement(By.id("search-currency")).sendKeys("EUR");
        new Select(browser.findElement(By.id("search-status"))).selectByVisibleText("OPEN");
        new Select(browser.findElement(By.id("search-limit"))).selectByVisibleText("10");
        browser.findElement(By.id("search")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("accounts-caption"), "page 1 (10 accounts)"));
        JsonNode first = get("/accounts?currency=EUR&status=OPEN&limit=10");
        JsonNode second = get("/accounts?currency=EUR&status=OPEN&limit=10&cursor="
                + URLEncoder.encode(first.path("nextCursor").asText(), StandardCharsets.UTF_8));
        assertThat(column("accounts", 0)).isEqualTo(values(first.path("accounts"), "accountId"));
        assertThat(column("accounts", 3)).isEqualTo(values(first.path("accounts"), "balance").stream()
                .map(b -> b + " EUR").toList());
        screenshot("search");

        browser.findElement(By.id("accounts-next")).sendKeys(Keys.ENTER);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("accounts-caption"), "page 2"));
        assertThat(column("accounts", 0)).isEqualTo(values(second.path("accounts"), "accountId"));
        // 14 EUR accounts, merchant-03 frozen: the 13 open ones over two pages.
        assertThat(first.path("accounts").size() + second.path("accounts").size()).isEqualTo(13);
        assertThat(column("accounts", 0)).doesNotContain("merchant-03");
        assertThat(column("accounts", 1)).containsOnly("OPEN");
        assertThat(second.path("nextCursor").isNull()).isTrue();
        assertThat(browser.findElement(By.id("accounts-next")).isEnabled()).isFalse();

        browser.findElement(By.id("accounts-previous")).sendKeys(Keys.SPACE);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("accounts-caption"), "page 1"));
        assertThat(column("accounts", 0)).isEqualTo(values(first.path("accounts"), "accountId"));
    }

    @Test
    @Order(13)
    void a_search_by_metadata_lists_the_apis_accounts_and_one_the_api_refuses_shows_its_message() throws Exception {
        searchPage();
        browser.findElement(By.id("search-metadata")).sendKeys("kind=merchant", Keys.ENTER);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("accounts-caption"), "page 1"));
        JsonNode byMetadata = get("/accounts?metadata.kind=merchant&limit=20").path("accounts");
        assertThat(values(byMetadata, "accountId")).hasSize(9).allMatch(id -> id.startsWith("merchant-"));
        assertThat(column("accounts", 0)).isEqualTo(values(byMetadata, "accountId"));
        assertThat(column("accounts", 1)).isEqualTo(values(byMetadata, "status")).contains("FROZEN");
        screenshot("search-metadata");

        // Metadata with a currency: the index is keyed by the pair alone, and the API says which combinations it serves.
        searchPage();
        browser.findElement(By.id("search-metadata")).sendKeys("kind=merchant");
        browser.findElement(By.id("search-currency")).sendKeys("EUR", Keys.ENTER);
        JsonNode withCurrency = refused("/accounts?metadata.kind=merchant&currency=EUR&limit=20");
        WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("error")));
        assertThat(error.getText()).isEqualTo(withCurrency.path("message").asText() + " (invalid_request, HTTP 400)");
        assertThat(column("accounts", 0)).containsExactly("not listed: see the message above");
        screenshot("search-refused");

        // A combination no index serves: an id prefix with a currency.
        searchPage();
        browser.findElement(By.id("search-prefix")).sendKeys("merchant-");
        browser.findElement(By.id("search-currency")).sendKeys("EUR", Keys.ENTER);
        JsonNode combination = refused("/accounts?idPrefix=merchant-&currency=EUR&limit=20");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("error"), "idPrefix is not indexed"));
        assertThat(browser.findElement(By.id("error")).getText())
                .isEqualTo(combination.path("message").asText() + " (invalid_request, HTTP 400)");
    }

    @Test
    @Order(14)
    void a_balance_as_of_on_the_effective_basis_counts_the_backdated_deposit_as_the_api_does() throws Exception {
        openAccount("bob");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("account-title"), "Account bob"));
        wait.until(d -> rows("history").size() > 1);
        // The instant bob was opened: recorded then, nothing had reached him; the late deposit counts from an hour before.
        String opened = get("/accounts/bob/history?limit=1").path("entries").get(0).path("recordedAt").asText();
        JsonNode recorded = get("/accounts/bob/balance?asOf=" + opened + "&basis=recorded");
        JsonNode effective = get("/accounts/bob/balance?asOf=" + opened + "&basis=effective");
        assertThat(recorded.path("balance").asText()).isEqualTo("0.00");
        assertThat(effective.path("balance").asText()).isEqualTo(ConsoleWorkload.LATE_AMOUNT);

        WebElement input = browser.findElement(By.id("as-of"));
        input.clear();
        input.sendKeys(opened);
        // By keyboard: Space selects the focused radio button.
        browser.findElement(By.id("basis-effective")).sendKeys(Keys.SPACE);
        browser.findElement(By.id("as-of-show")).sendKeys(Keys.ENTER);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("as-of-result"), "effective basis"));
        assertThat(browser.findElement(By.id("as-of-result")).getText()).isEqualTo("Balance at " + opened
                + " (effective basis): " + effective.path("balance").asText() + " EUR (after version "
                + effective.path("version").asText() + ")");
        screenshot("balance-as-of-effective");

        browser.findElement(By.id("basis-recorded")).click();
        browser.findElement(By.id("as-of-show")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("as-of-result"), "recorded basis"));
        assertThat(browser.findElement(By.id("as-of-result")).getText()).isEqualTo("Balance at " + opened
                + " (recorded basis): 0.00 EUR (after version " + recorded.path("version").asText() + ")");
    }

    @Test
    @Order(15)
    void history_in_effective_order_is_the_apis_and_links_each_transfer_and_transaction() throws Exception {
        new Select(browser.findElement(By.id("history-order"))).selectByVisibleText("effective (when each entry counts)");
        new Select(browser.findElement(By.id("history-limit"))).selectByVisibleText("20");
        browser.findElement(By.id("history-apply")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("history-caption"),
                "History by effective date, page 1"));
        JsonNode entries = get("/accounts/bob/history?limit=20&order=effective").path("entries");

        assertThat(column("history", 0)).isEqualTo(values(entries, "version"));
        // The backdated deposit comes first, before the account's opening, and shows its date.
        assertThat(entries.get(0).path("transferId").asText()).isEqualTo("late-1");
        assertThat(column("history", 2).get(0)).isEqualTo(entries.get(0).path("effectiveAt").asText());
        // An entry that counts when recorded says so rather than repeating the instant.
        assertThat(entries.get(1).path("effectiveAt")).isEqualTo(entries.get(1).path("recordedAt"));
        assertThat(column("history", 2).get(1)).isEqualTo("as recorded");
        assertThat(column("history", 7)).isEqualTo(values(entries, "balanceAfter"));
        // Every transfer or transaction an entry names is a link to its page.
        for (int i = 0; i < entries.size(); i++) {
            JsonNode entry = entries.get(i);
            String kind = entry.hasNonNull("transactionId") ? "transaction" : "transfer";
            String id = entry.path(kind + "Id").asText("");
            List<WebElement> links = rows("history").get(i).findElements(By.tagName("td")).get(4)
                    .findElements(By.tagName("a"));
            if (id.isEmpty()) {
                assertThat(links).as("entry %s", entry.path("version")).isEmpty();
            } else {
                assertThat(links).singleElement().satisfies(a -> {
                    assertThat(a.getText()).isEqualTo(id);
                    assertThat(a.getAttribute("href")).endsWith("#/" + kind + "/" + id);
                });
            }
        }
        screenshot("history-effective");

        browser.findElement(By.linkText("late-1")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("transfer-title"), "Transfer late-1"));
        wait.until(d -> fact("transfer-summary", "Effective").equals(entries.get(0).path("effectiveAt").asText()));
    }

    @Test
    @Order(16)
    void an_accounts_transfers_are_the_apis_paged_by_its_cursor_and_each_links_to_its_page() throws Exception {
        openAccount("alice");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("account-title"), "Account alice"));
        new Select(browser.findElement(By.id("transfers-limit"))).selectByVisibleText("10");
        browser.findElement(By.id("transfers-apply")).sendKeys(Keys.ENTER);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("transfers-caption"), "page 1 (10 "));
        JsonNode first = get("/transfers?accountId=alice&limit=10");
        JsonNode second = get("/transfers?accountId=alice&limit=10&cursor="
                + URLEncoder.encode(first.path("nextCursor").asText(), StandardCharsets.UTF_8));

        // Newest first: the card payment (a transaction, its entry on alice), the hold, then the payments.
        assertThat(column("transfers", 0)).isEqualTo(listedIds(first)).startsWith("tx-1", "h-1");
        assertThat(column("transfers", 1)).isEqualTo(values(first.path("transfers"), "kind"));
        assertThat(column("transfers", 2)).isEqualTo(values(first.path("transfers"), "status"));
        assertThat(column("transfers", 3)).isEqualTo(listedAmounts(first, "alice")).startsWith("10.00 EUR", "30.00 EUR");
        assertThat(column("transfers", 4)).isEqualTo(values(first.path("transfers"), "recordedAt"));
        assertThat(browser.findElement(By.linkText("tx-1")).getAttribute("href")).endsWith("#/transaction/tx-1");
        screenshot("account-transfers");

        browser.findElement(By.id("transfers-next")).sendKeys(Keys.ENTER);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("transfers-caption"), "page 2"));
        assertThat(column("transfers", 0)).isEqualTo(listedIds(second)).doesNotContainAnyElementsOf(listedIds(first));
        assertThat(column("transfers", 3)).isEqualTo(listedAmounts(second, "alice"));
        browser.findElement(By.id("transfers-previous")).sendKeys(Keys.SPACE);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("transfers-caption"), "page 1"));
        assertThat(column("transfers", 0)).isEqualTo(listedIds(first));

        browser.findElement(By.linkText("h-1")).sendKeys(Keys.ENTER);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("transfer-title"), "Transfer h-1"));
        wait.until(d -> fact("transfer-summary", "Posted").equals("12.50 EUR"));
    }

    /** The ids of a GET /transfers page: a transfer's or a transaction's, as its kind says. */
    private static List<String> listedIds(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.path("transfers").forEach(t -> ids.add(t.path(t.path("kind").asText() + "Id").asText()));
        return ids;
    }

    /** A transfer's amount; a transaction's entries on the account (it has no one amount). */
    private static List<String> listedAmounts(JsonNode page, String accountId) {
        List<String> amounts = new ArrayList<>();
        page.path("transfers").forEach(t -> {
            if (t.path("kind").asText().equals("transaction")) {
                List<String> entries = new ArrayList<>();
                t.path("entries").forEach(e -> {
                    if (e.path("accountId").asText().equals(accountId)) {
                        entries.add(e.path("amount").asText() + " " + e.path("currency").asText());
                    }
                });
                amounts.add(String.join(", ", entries));
            } else {
                amounts.add(t.path("amount").asText() + " " + t.path("currency").asText());
            }
        });
        return amounts;
    }

    @Test
    @Order(20)
    void with_a_projection_dropped_the_page_says_the_read_model_is_temporarily_unavailable() throws Exception {
        // Last: the history table is gone for good, as the demo's drop leaves it until a rebuild.
        stack.clients().dynamoDb().deleteTable(r -> r.tableName(stack.outputs().get("HistoryTableName")));
        HttpResponse<String> answer = send("/accounts/alice/history");
        assertThat(answer.statusCode()).isEqualTo(503);
        JsonNode body = JSON.readTree(answer.body());
        assertThat(body.path("error").asText()).isEqualTo("projection_unavailable");
        String retryAfter = answer.headers().firstValue("Retry-After").orElseThrow();

        openAccount("alice");
        WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("error")));
        assertThat(error.getText()).isEqualTo("The read model is temporarily unavailable: "
                + body.path("message").asText() + " (projection_unavailable, HTTP 503). Try again in " + retryAfter + " s.");
        assertThat(browser.findElement(By.id("history-caption")).getText()).endsWith("(not shown)");
        assertThat(column("history", 0)).containsExactly("not shown: see the message above");
        // The account's transfers are read from the history table too: that table says so as well.
        assertThat(browser.findElement(By.id("transfers-caption")).getText()).isEqualTo("Transfers (not shown)");
        // The balances projection is still there: the account's own facts are shown.
        String balance = get("/accounts/alice").path("balance").asText() + " EUR";
        wait.until(d -> fact("account-summary", "Balance").equals(balance));
        screenshot("unavailable");
    }

    // --- the browser --------------------------------------------------------------------------

    private static void signIn(String token) {
        WebElement field = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
        assertThat(browser.findElement(By.id("api-base")).getAttribute("value"))
                .isEqualTo("http://127.0.0.1:" + stack.httpPort());
        // By keyboard: Enter in the token field submits the form.
        field.sendKeys(token, Keys.ENTER);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("open-account-id")));
    }

    /** Through the page's form (a hash change), as a user would. */
    private static void openAccount(String accountId) {
        browser.get(uri("/console/#/").toString());
        WebElement id = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("open-account-id")));
        id.clear();
        id.sendKeys(accountId, Keys.ENTER);
    }

    /** The accounts page with an empty search form; its first field. */
    private static WebElement searchPage() {
        browser.get(uri("/console/#/").toString());
        WebElement prefix = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("search-prefix")));
        for (String field : List.of("search-prefix", "search-currency", "search-metadata")) {
            browser.findElement(By.id(field)).clear();
        }
        new Select(browser.findElement(By.id("search-status"))).selectByVisibleText("any");
        return prefix;
    }

    /** The text of a fact (dt/dd pair) of a list, "" when absent. */
    private static String fact(String listId, String name) {
        List<WebElement> cells = browser.findElement(By.id(listId)).findElements(By.xpath("./*"));
        for (int i = 0; i + 1 < cells.size(); i += 2) {
            if (cells.get(i).getText().equals(name)) {
                return cells.get(i + 1).getText();
            }
        }
        return "";
    }

    private static List<WebElement> rows(String tableId) {
        return browser.findElement(By.id(tableId)).findElements(By.cssSelector("tbody tr"));
    }

    private static List<String> column(String tableId, int index) {
        return rows(tableId).stream().map(row -> row.findElements(By.tagName("td")).get(index).getText()).toList();
    }

    private static List<String> values(JsonNode array, String field) {
        List<String> values = new ArrayList<>();
        array.forEach(node -> values.add(node.path(field).asText()));
        return values;
    }

    private static void screenshot(String name) throws IOException {
        File shot = ((ChromeDriver) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    // --- the API ------------------------------------------------------------------------------

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + stack.httpPort() + path);
    }

    private static JsonNode get(String path) throws Exception {
        HttpResponse<String> response = send(path);
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    /** The API's 400 answer to a query it refuses. */
    private static JsonNode refused(String path) throws Exception {
        HttpResponse<String> response = send(path);
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(400);
        return JSON.readTree(response.body());
    }

    private static HttpResponse<String> send(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + auditor).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
