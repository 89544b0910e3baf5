package dev.ledger.infra.local;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One answer for the local HTTP server to write. The server owns the framing (status line,
 * Content-Length, Connection, Date): a handler's headers of those names are left out. A header
 * name that is not an RFC 9110 token, or a value with a control character other than a tab
 * (CR and LF would split the response), is refused here, before anything is written.
 */
record LocalHttpResponse(int status, List<Map.Entry<String, String>> headers, byte[] body) {

    /** Headers the server writes itself. */
    static final Set<String> FRAMING = Set.of("content-length", "transfer-encoding", "connection", "keep-alive", "date",
            "upgrade", "trailer");

    LocalHttpResponse {
        if (status < 200 || status > 599) {
            throw new IllegalArgumentException("Not a final HTTP status: " + status);
        }
        List<Map.Entry<String, String>> kept = new ArrayList<>();
        for (Map.Entry<String, String> header : headers) {
            String name = header.getKey();
            String value = header.getValue() == null ? "" : header.getValue();
            if (!LocalHttpRequestReader.isToken(name)) {
                throw new IllegalArgumentException("Not a header name: " + name);
            }
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
                    throw new IllegalArgumentException("Header " + name + " has a character a header value cannot carry");
                }
            }
            if (!FRAMING.contains(name.toLowerCase(Locale.ROOT))) {
                kept.add(Map.entry(name, value));
            }
        }
        headers = List.copyOf(kept);
        body = body == null ? new byte[0] : body;
    }

    /** API Gateway's own kind of answer: {@code {"message":"..."}} as application/json. */
    static LocalHttpResponse message(int status, String message, List<Map.Entry<String, String>> extraHeaders) {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        headers.add(Map.entry("Content-Type", "application/json"));
        headers.addAll(extraHeaders);
        return new LocalHttpResponse(status, headers,
                ("{\"message\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8));
    }
}
