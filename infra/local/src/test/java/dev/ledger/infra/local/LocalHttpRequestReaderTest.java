package dev.ledger.infra.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The local server's request parser on its own: strict where HTTP says so, and it cleans nothing. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class LocalHttpRequestReaderTest {

    @Test
    void a_request_keeps_its_raw_path_query_and_headers_in_order() throws Exception {
        LocalHttpRequest request = read("GET /accounts/acc%3A1?a=1&b=x%20y HTTP/1.1\r\nHost: x\r\nX-A: 1\r\nx-a: 2\r\n\r\n");

        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.rawPath()).isEqualTo("/accounts/acc%3A1");
        assertThat(request.rawQuery()).isEqualTo("a=1&b=x%20y");
        assertThat(request.values("x-a")).containsExactly("1", "2");
        assertThat(request.body()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"\u0000", "\u0001", "\u001f", "\u007f", "\r", "\u000b", "\u000c", "\u00a0", "\u00ff"})
    void only_spaces_and_tabs_around_a_value_are_stripped_every_other_byte_stays(String control) throws Exception {
        LocalHttpRequest request = read("GET / HTTP/1.1\r\nAuthorization: \t " + control + "Bearer t" + control
                + " \t\r\n\r\n");

        assertThat(request.values("Authorization")).containsExactly(control + "Bearer t" + control);
    }

    @Test
    void a_tab_inside_a_value_stays_a_tab() throws Exception {
        assertThat(read("GET / HTTP/1.1\r\nAuthorization: Bearer\tt\r\n\r\n").values("authorization"))
                .containsExactly("Bearer\tt");
    }

    @Test
    void lines_may_end_with_a_bare_lf() throws Exception {
        LocalHttpRequest request = read("GET /health HTTP/1.1\nHost: x\n\n");

        assertThat(request.rawPath()).isEqualTo("/health");
        assertThat(request.values("host")).containsExactly("x");
    }

    @Test
    void empty_lines_before_the_request_line_are_ignored() throws Exception {
        assertThat(read("\r\n\r\nGET /health HTTP/1.1\r\n\r\n").rawPath()).isEqualTo("/health");
    }

    @Test
    void an_absolute_form_target_is_reduced_to_its_path_and_query() throws Exception {
        LocalHttpRequest request = read("GET http://127.0.0.1:8080/health?x=1 HTTP/1.1\r\n\r\n");

        assertThat(request.rawPath()).isEqualTo("/health");
        assertThat(request.rawQuery()).isEqualTo("x=1");
        assertThat(read("GET HTTP://h HTTP/1.1\r\n\r\n").rawPath()).isEqualTo("/");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "GET / HTTP/1.1\r\nAuthorization: Bearer\r\n t\r\n\r\n", // obs-fold with a space
        "GET / HTTP/1.1\r\nAuthorization:\r\n\tBearer t\r\n\r\n", // obs-fold with a tab
        "GET / HTTP/1.1\r\n Host: x\r\n\r\n", // whitespace before the first header
        "GET / HTTP/1.1\r\nHost : x\r\n\r\n", // whitespace before the colon
        "GET / HTTP/1.1\r\nHo\u0000st: x\r\n\r\n",
        "GET / HTTP/1.1\r\nno colon\r\n\r\n",
        "GET / HTTP/1.1\r\n: x\r\n\r\n",
        "GET /% HTTP/1.1\r\n\r\n",
        "GET /%zz HTTP/1.1\r\n\r\n",
        "GET /%u0061 HTTP/1.1\r\n\r\n",
        "GET /a%2 HTTP/1.1\r\n\r\n",
        "GET /?q=% HTTP/1.1\r\n\r\n",
        "GET /a|b HTTP/1.1\r\n\r\n",
        "GET /a\"b HTTP/1.1\r\n\r\n",
        "GET * HTTP/1.1\r\n\r\n",
        "GET http:///x HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1 \r\n\r\n",
        "GET / http/1.1\r\n\r\n",
        "GET / HTTP/11\r\n\r\n",
        "GET\t/ HTTP/1.1\r\n\r\n",
        "GET /\r HTTP/1.1\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 0x10\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        "POST / HTTP/1.1\r\nContent-Length: 1,\r\n\r\na",
        "POST / HTTP/1.1\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked,\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n123456789\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2 x\r\nab\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nbad trailer\r\n\r\n"})
    void a_malformed_request_is_400(String request) {
        assertRefused(request, 400, "Bad Request");
    }

    @Test
    void http_2_in_a_request_line_is_505() {
        assertRefused("GET / HTTP/2.0\r\n\r\n", 505, "HTTP Version Not Supported");
    }

    @Test
    void a_transfer_coding_other_than_chunked_is_501() {
        assertRefused("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501, "Not Implemented");
        assertRefused("POST / HTTP/1.1\r\nTransfer-Encoding: identity\r\n\r\n", 501, "Not Implemented");
    }

    @Test
    void the_request_line_and_header_values_may_have_10240_bytes_together() throws Exception {
        String requestLine = "GET / HTTP/1.1";
        String fits = "a".repeat(10_240 - requestLine.length());
        assertThat(read(requestLine + "\r\nX: " + fits + "\r\n\r\n").values("x")).containsExactly(fits);
        assertRefused(requestLine + "\r\nX: " + fits + "a\r\n\r\n", 431, "Request Header Fields Too Large");
        assertRefused("GET /" + "a".repeat(50_000) + " HTTP/1.1\r\n\r\n", 431, "Request Header Fields Too Large");
        assertRefused("GET / HTTP/1.1\r\n" + "X:\r\n".repeat(20_000) + "\r\n", 431, "Request Header Fields Too Large");
    }

    @Test
    void a_body_over_the_limit_is_413_before_it_is_read() {
        assertRefused("POST / HTTP/1.1\r\nContent-Length: 10485761\r\n\r\n", 413, "Request Entity Too Large");
        String chunk = Integer.toHexString(6 * 1024 * 1024) + "\r\n";
        assertRefused("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk + "x".repeat(6 * 1024 * 1024)
                + "\r\n" + chunk, 413, "Request Entity Too Large");
    }

    @Test
    void a_content_length_body_is_read_exactly_and_the_next_request_follows() throws Exception {
        LocalHttpRequestReader reader = reader("POST /a HTTP/1.1\r\nContent-Length: 5, 5\r\nContent-Length: 5\r\n\r\n"
                + "hello" + "GET /b HTTP/1.1\r\n\r\n");

        LocalHttpRequest first = reader.read(() -> { });
        LocalHttpRequest second = reader.read(() -> { });

        assertThat(new String(first.body(), StandardCharsets.ISO_8859_1)).isEqualTo("hello");
        assertThat(second.rawPath()).isEqualTo("/b");
        assertThat(reader.read(() -> { })).as("a clean end between requests").isNull();
    }

    @Test
    void a_chunked_body_is_decoded_with_extensions_and_trailers() throws Exception {
        LocalHttpRequest request = read("POST / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n"
                + "5 ; a=b\r\nhello\r\nA\r\n, world!!!\r\n0\r\nX-T: 1\r\n\r\n");

        assertThat(new String(request.body(), StandardCharsets.ISO_8859_1)).isEqualTo("hello, world!!!");
    }

    @Test
    void expect_100_continue_is_answered_once_before_the_body_and_not_without_one() throws Exception {
        AtomicInteger continues = new AtomicInteger();
        reader("POST / HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\nab").read(continues::incrementAndGet);
        reader("GET / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n").read(continues::incrementAndGet);
        reader("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nab").read(continues::incrementAndGet);

        assertThat(continues).hasValue(1);
    }

    @Test
    void a_request_cut_off_is_an_end_of_stream_not_an_answer() {
        assertThatThrownBy(() -> read("GET /heal")).isInstanceOf(EOFException.class);
        assertThatThrownBy(() -> read("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab")).isInstanceOf(EOFException.class);
    }

    private static void assertRefused(String request, int status, String message) {
        assertThatThrownBy(() -> read(request))
                .isInstanceOfSatisfying(LocalHttpException.class, e -> {
                    assertThat(e.status()).isEqualTo(status);
                    assertThat(e.getMessage()).isEqualTo(message);
                });
    }

    private static LocalHttpRequest read(String request) throws IOException, LocalHttpException {
        return reader(request).read(() -> { });
    }

    private static LocalHttpRequestReader reader(String request) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(request.getBytes(StandardCharsets.ISO_8859_1));
        return new LocalHttpRequestReader(new java.io.BufferedInputStream(new ByteArrayInputStream(bytes.toByteArray())),
                10_240, 10 * 1024 * 1024);
    }
}
