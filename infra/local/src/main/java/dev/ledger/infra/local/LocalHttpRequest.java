package dev.ledger.infra.local;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;

/**
 * One request as the local HTTP server received it: nothing cleaned. The path and query are
 * still percent-encoded (their escapes are checked well-formed); header names are as sent and
 * values are the bytes between the colon and the line end, ISO-8859-1, with only leading and
 * trailing spaces and tabs removed (RFC 9110's OWS). A NUL or other control byte stays in the value.
 *
 * @param method the method token as sent (case kept)
 * @param rawPath the path of the request target, e.g. {@code /accounts/acc%3A1}
 * @param rawQuery the query without its {@code ?}; empty when there is none
 * @param version {@code HTTP/1.1} or {@code HTTP/1.0}
 * @param headers in the order received, repeated names repeated
 * @param body the decoded body (Content-Length or chunked); empty when there is none
 */
record LocalHttpRequest(String method, String rawPath, String rawQuery, String version, List<Header> headers,
                        byte[] body, InetSocketAddress remote, InetSocketAddress local) {

    /** One header line: the name as sent and the value as received, OWS stripped. */
    record Header(String name, String value) {
    }

    LocalHttpRequest {
        headers = List.copyOf(headers);
    }

    /** The values of every header of that name (case-insensitive), in the order received. */
    List<String> values(String name) {
        return headers.stream().filter(h -> h.name().equalsIgnoreCase(name)).map(Header::value).toList();
    }

    LocalHttpRequest withAddresses(InetSocketAddress remoteAddress, InetSocketAddress localAddress) {
        return new LocalHttpRequest(method, rawPath, rawQuery, version, headers, body, remoteAddress, localAddress);
    }

    boolean isHead() {
        return method.toUpperCase(Locale.ROOT).equals("HEAD");
    }
}
