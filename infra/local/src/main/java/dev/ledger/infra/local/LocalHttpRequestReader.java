package dev.ledger.infra.local;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reads HTTP/1.1 requests (RFC 9112) from one connection, strictly, and cleans nothing: what is
 * not well-formed is a {@link LocalHttpException} with the status to answer, never a guess.
 *
 * <ul>
 *   <li>Request line: {@code method SP request-target SP HTTP/1.x}, single spaces; the target in
 *       origin form ({@code /path?query}) or absolute form, only RFC 3986 characters, every
 *       {@code %} followed by two hex digits. Anything else is 400; HTTP/2+ in a request line is 505.
 *   <li>Lines end with CRLF or a bare LF (RFC 9112 §2.2); a CR elsewhere is kept as a byte.
 *   <li>Header names are tokens directly followed by {@code :} (a space before the colon is 400).
 *       Values keep every byte as received, decoded as ISO-8859-1; only leading and trailing SP
 *       and HTAB are removed. A NUL or control byte is never stripped into a valid value.
 *   <li>A folded header line (obs-fold: a line starting with SP or HTAB) is refused with 400, as
 *       RFC 9112 §5.2 allows; unfolding it would turn {@code Bearer\r\n token} into a valid value.
 *   <li>The request line and header values together may have {@code maxHeaderBytes} bytes (API
 *       Gateway's HTTP API: 10240), and the whole header section four times that; beyond is 431.
 *   <li>Bodies: Content-Length (digits only; repeated or listed values must agree; more than 18
 *       digits is 400) or {@code Transfer-Encoding: chunked}, decoded, trailers read and dropped.
 *       Both at once is 400; another transfer coding is 501; a body over {@code maxBodyBytes} is
 *       413. {@code Expect: 100-continue} is answered through the callback before the body is read.
 * </ul>
 */
final class LocalHttpRequestReader {

    /** Sends {@code 100 Continue} to the client. */
    interface Continue {
        void send() throws IOException;
    }

    private static final Pattern VERSION = Pattern.compile("HTTP/[0-9]\\.[0-9]");
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,18}");
    private static final int MAX_CHUNK_LINE = 4096;
    private static final boolean[] TCHAR = new boolean[128];
    private static final boolean[] PATH_CHAR = new boolean[128];
    private static final boolean[] QUERY_CHAR = new boolean[128];

    static {
        for (char c : ("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz").toCharArray()) {
            TCHAR[c] = true;
        }
        // RFC 3986 pchar (unreserved, sub-delims, ':' and '@') and '/'; '%' is checked on its own.
        for (char c : ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/").toCharArray()) {
            PATH_CHAR[c] = true;
            QUERY_CHAR[c] = true;
        }
        QUERY_CHAR['?'] = true;
    }

    private final InputStream in;
    private final int maxHeaderBytes;
    private final int maxBodyBytes;
    private int rawBudget;
    private boolean started;

    /**
     * @param in a buffered stream: lines are read a byte at a time
     */
    LocalHttpRequestReader(InputStream in, int maxHeaderBytes, int maxBodyBytes) {
        this.in = in;
        this.maxHeaderBytes = maxHeaderBytes;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** Whether a byte of the request being read has arrived (false between requests). */
    boolean started() {
        return started;
    }

    /**
     * The next request, or null when the stream ends cleanly before one begins.
     *
     * @throws EOFException when the stream ends inside a request
     * @throws LocalHttpException when the request is not one to serve; the connection cannot be reused
     */
    LocalHttpRequest read(Continue onExpectContinue) throws IOException, LocalHttpException {
        started = false;
        rawBudget = maxHeaderBytes * 4;
        String requestLine;
        do {
            // RFC 9112 §2.2: empty lines before the request line are ignored.
            requestLine = headLine(true);
            if (requestLine == null) {
                return null;
            }
        } while (requestLine.isEmpty());
        int valueBytes = requestLine.length();

        String[] parts = requestLine.split(" ", -1);
        if (parts.length != 3 || !isToken(parts[0])) {
            throw LocalHttpException.badRequest();
        }
        String method = parts[0];
        String version = parts[2];
        if (!VERSION.matcher(version).matches()) {
            throw LocalHttpException.badRequest();
        }
        if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
            throw new LocalHttpException(505, "HTTP Version Not Supported");
        }
        String[] target = target(parts[1]);

        List<LocalHttpRequest.Header> headers = new ArrayList<>();
        for (String line = headerLine(); !line.isEmpty(); line = headerLine()) {
            LocalHttpRequest.Header header = header(line);
            valueBytes += header.value().length();
            if (valueBytes > maxHeaderBytes) {
                throw new LocalHttpException(431, "Request Header Fields Too Large");
            }
            headers.add(header);
        }
        LocalHttpRequest request = new LocalHttpRequest(method, target[0], target[1], version, headers, new byte[0],
                null, null);

        List<String> transferEncoding = request.values("Transfer-Encoding");
        List<String> contentLength = request.values("Content-Length");
        boolean chunked = false;
        long length = 0;
        if (!transferEncoding.isEmpty()) {
            if (version.equals("HTTP/1.0") || !contentLength.isEmpty()) {
                throw LocalHttpException.badRequest(); // RFC 9112 §6.1: a smuggling risk, not a request
            }
            List<String> codings = list(transferEncoding);
            if (codings.contains("")) {
                throw LocalHttpException.badRequest();
            }
            if (codings.size() != 1 || !codings.get(0).equalsIgnoreCase("chunked")) {
                throw new LocalHttpException(501, "Not Implemented");
            }
            chunked = true;
        } else if (!contentLength.isEmpty()) {
            length = contentLength(contentLength);
            if (length > maxBodyBytes) {
                throw new LocalHttpException(413, "Request Entity Too Large");
            }
        }
        if ((chunked || length > 0) && version.equals("HTTP/1.1")
                && request.values("Expect").stream().anyMatch(v -> v.equalsIgnoreCase("100-continue"))) {
            onExpectContinue.send();
        }
        byte[] body = chunked ? chunkedBody() : exactly((int) length);
        return new LocalHttpRequest(method, target[0], target[1], version, headers, body, null, null);
    }

    // --- the request line -----------------------------------------------------------------------

    /** [rawPath, rawQuery] of an origin-form or absolute-form target. */
    private static String[] target(String target) throws LocalHttpException {
        String originForm = target;
        String lower = target.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            int authorityStart = lower.indexOf("://") + 3;
            int end = authorityStart;
            while (end < target.length() && target.charAt(end) != '/' && target.charAt(end) != '?') {
                char c = target.charAt(end);
                if (c >= 128 || !(PATH_CHAR[c] || c == '[' || c == ']' || c == '%')) {
                    throw LocalHttpException.badRequest();
                }
                end++;
            }
            if (end == authorityStart) {
                throw LocalHttpException.badRequest();
            }
            originForm = target.substring(end);
            if (!originForm.startsWith("/")) {
                originForm = "/" + originForm;
            }
        }
        if (!originForm.startsWith("/")) {
            throw LocalHttpException.badRequest();
        }
        int question = originForm.indexOf('?');
        String path = question < 0 ? originForm : originForm.substring(0, question);
        String query = question < 0 ? "" : originForm.substring(question + 1);
        checkEncoded(path, PATH_CHAR);
        checkEncoded(query, QUERY_CHAR);
        return new String[] {path, query};
    }

    private static void checkEncoded(String text, boolean[] allowed) throws LocalHttpException {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%') {
                if (i + 2 >= text.length() || !isHex(text.charAt(i + 1)) || !isHex(text.charAt(i + 2))) {
                    throw LocalHttpException.badRequest();
                }
                i += 2;
            } else if (c >= 128 || !allowed[c]) {
                throw LocalHttpException.badRequest();
            }
        }
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    static boolean isToken(String text) {
        if (text == null || text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 128 || !TCHAR[c]) {
                return false;
            }
        }
        return true;
    }

    // --- header fields --------------------------------------------------------------------------

    private String headerLine() throws IOException, LocalHttpException {
        String line = headLine(false);
        if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t')) {
            throw LocalHttpException.badRequest(); // obs-fold, or whitespace before the first header
        }
        return line;
    }

    private static LocalHttpRequest.Header header(String line) throws LocalHttpException {
        int colon = line.indexOf(':');
        if (colon <= 0 || !isToken(line.substring(0, colon))) {
            throw LocalHttpException.badRequest();
        }
        return new LocalHttpRequest.Header(line.substring(0, colon), stripOws(line.substring(colon + 1)));
    }

    /** Removes leading and trailing SP and HTAB only (RFC 9110 OWS); NUL and other controls stay. */
    static String stripOws(String value) {
        int start = 0;
        int end = value.length();
        while (start < end && (value.charAt(start) == ' ' || value.charAt(start) == '\t')) {
            start++;
        }
        while (end > start && (value.charAt(end - 1) == ' ' || value.charAt(end - 1) == '\t')) {
            end--;
        }
        return value.substring(start, end);
    }

    /** The members of comma-separated list headers, OWS stripped. */
    private static List<String> list(List<String> values) {
        List<String> members = new ArrayList<>();
        for (String value : values) {
            for (String member : value.split(",", -1)) {
                members.add(stripOws(member));
            }
        }
        return members;
    }

    private static long contentLength(List<String> values) throws LocalHttpException {
        long length = -1;
        for (String member : list(values)) {
            if (!DIGITS.matcher(member).matches()) {
                throw LocalHttpException.badRequest();
            }
            long value = Long.parseLong(member);
            if (length >= 0 && value != length) {
                throw LocalHttpException.badRequest();
            }
            length = value;
        }
        return length;
    }

    // --- bodies ---------------------------------------------------------------------------------

    private byte[] exactly(int length) throws IOException {
        byte[] body = in.readNBytes(length);
        if (body.length < length) {
            throw new EOFException("the body ended after " + body.length + " of " + length + " bytes");
        }
        return body;
    }

    private byte[] chunkedBody() throws IOException, LocalHttpException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String line = line(MAX_CHUNK_LINE, 400, "Bad Request", false);
            int digits = 0;
            while (digits < line.length() && isHex(line.charAt(digits))) {
                digits++;
            }
            if (digits == 0 || digits > 8) {
                throw LocalHttpException.badRequest();
            }
            String extension = stripOws(line.substring(digits));
            if (!extension.isEmpty() && extension.charAt(0) != ';') {
                throw LocalHttpException.badRequest();
            }
            long size = Long.parseLong(line.substring(0, digits), 16);
            if (size == 0) {
                break;
            }
            if (body.size() + size > maxBodyBytes) {
                throw new LocalHttpException(413, "Request Entity Too Large");
            }
            body.write(exactly((int) size));
            if (!line(2, 400, "Bad Request", false).isEmpty()) {
                throw LocalHttpException.badRequest();
            }
        }
        // Trailer fields: read within the header budget, checked, dropped.
        for (String line = headerLine(); !line.isEmpty(); line = headerLine()) {
            header(line);
        }
        return body.toByteArray();
    }

    // --- lines ----------------------------------------------------------------------------------

    /** A line of the header section (request line, fields, trailers), within its overall budget. */
    private String headLine(boolean nullAtStart) throws IOException, LocalHttpException {
        String line = line(rawBudget, 431, "Request Header Fields Too Large", nullAtStart);
        if (line != null) {
            rawBudget -= line.length() + 2;
        }
        return line;
    }

    /**
     * One line without its CRLF or LF, as ISO-8859-1 (one char per byte); at most {@code max}
     * bytes. Null at a clean end of stream only if {@code nullAtStart} and nothing was read.
     */
    private String line(int max, int tooLongStatus, String tooLongMessage, boolean nullAtStart)
            throws IOException, LocalHttpException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (nullAtStart && !started) {
                    return null;
                }
                throw new EOFException("the request ended inside a line");
            }
            started = true;
            if (b == '\n') {
                int length = line.length();
                if (length > 0 && line.charAt(length - 1) == '\r') {
                    line.setLength(length - 1);
                }
                return line.toString();
            }
            if (line.length() >= max) {
                throw new LocalHttpException(tooLongStatus, tooLongMessage);
            }
            line.append((char) b);
        }
    }
}
