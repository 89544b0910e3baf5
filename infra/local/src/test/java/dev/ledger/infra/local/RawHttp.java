package dev.ledger.infra.local;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A raw HTTP/1.1 connection for the gateway's tests: the bytes go out exactly as written (no
 * client cleans them), answers are read as they come. Every read waits at most 10 s, so a test
 * that hangs fails with a SocketTimeoutException instead of a timing assertion.
 */
final class RawHttp implements AutoCloseable {

    static final int READ_TIMEOUT_MILLIS = 10_000;

    /** One answer: the status, the headers (names in lower case) and the body as ISO-8859-1 text. */
    record Answer(int status, Map<String, List<String>> headers, String body) {
        String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null ? null : values.get(0);
        }
    }

    final Socket socket;
    final InputStream in;

    private RawHttp(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
    }

    static RawHttp connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), READ_TIMEOUT_MILLIS);
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        return new RawHttp(socket);
    }

    /** Sends one request on a fresh connection and reads its answer. */
    static Answer exchange(int port, String request) throws IOException {
        try (RawHttp http = connect(port)) {
            return http.send(request).read(request.startsWith("HEAD "));
        }
    }

    /** Writes the text as ISO-8859-1, one byte per char: NUL, controls and bare CR/LF go out as they are. */
    RawHttp send(String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        return this;
    }

    Answer read() throws IOException {
        return read(false);
    }

    /** Reads the next answer; a HEAD answer has no body whatever its Content-Length says. */
    Answer read(boolean head) throws IOException {
        String statusLine = line();
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not a status line: " + statusLine);
        }
        int status = Integer.parseInt(parts[1]);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String line = line(); !line.isEmpty(); line = line()) {
            int colon = line.indexOf(':');
            headers.computeIfAbsent(line.substring(0, colon).toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(line.substring(colon + 1).strip());
        }
        if (head || status < 200 || status == 204 || status == 304) {
            return new Answer(status, headers, "");
        }
        List<String> length = headers.get("content-length");
        byte[] body = length == null ? in.readAllBytes() : in.readNBytes(Integer.parseInt(length.get(0)));
        return new Answer(status, headers, new String(body, StandardCharsets.ISO_8859_1));
    }

    /** Reads until the server closes the connection: -1 from the socket, never a timeout. */
    String readToEnd() throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new EOFException("connection closed after " + line.size() + " bytes of a line: " + line);
            }
            line.write(b);
        }
        String text = line.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
