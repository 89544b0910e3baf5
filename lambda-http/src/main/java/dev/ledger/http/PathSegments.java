package dev.ledger.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Percent-decoding of one path segment (API Gateway's rawPath is not decoded). */
public final class PathSegments {

    private PathSegments() {
    }

    public static String decode(String segment) {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '%') {
                if (i + 2 >= segment.length()) {
                    throw ApiException.invalid("the path has a broken percent-escape");
                }
                int high = hexDigit(segment.charAt(i + 1));
                int low = hexDigit(segment.charAt(i + 2));
                if (high < 0 || low < 0) {
                    throw ApiException.invalid("the path has a broken percent-escape");
                }
                bytes.write(high * 16 + low);
                i += 2;
            } else if (c > 0x7f) {
                // Only ASCII is valid in an id; never truncate a character into one that looks valid.
                throw ApiException.invalid("ids are ASCII; the path has the character U+"
                        + String.format("%04X", segment.codePointAt(i)));
            } else {
                bytes.write(c);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /**
     * The value of an ASCII hex digit, or -1. Not {@link Character#digit}: it also reads fullwidth
     * and other Unicode digits, so "%" followed by a fullwidth 6 and 1 would decode to "a" and pass
     * a non-ASCII path off as a valid id.
     */
    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
