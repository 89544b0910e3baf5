package dev.ledger.infra.local;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small, strict HTTP/1.1 server on 127.0.0.1 for the local HTTP API (the JDK's
 * com.sun.net.httpserver cleans header values with String.trim, unfolds folded lines, has no read
 * timeout and answers malformed requests itself in HTML; none of that can be configured away).
 *
 * <ul>
 *   <li>One accept thread; one thread per connection, from a pool that grows with the connections
 *       and shrinks when they close. Beyond {@link Settings#maxConnections} a new connection gets
 *       503 {"message":"Service Unavailable"} and is closed.
 *   <li>A new connection must deliver its first request whole within
 *       {@link Settings#requestTimeout}; on a kept-alive connection the next request may take
 *       {@link Settings#idleTimeout} to start and then must arrive whole within the request
 *       timeout. A request cut off by the timeout is answered 408 and the connection closed; an
 *       idle connection is closed without an answer. So idle or half-open connections cost one
 *       thread each, for a bounded time, and never block other requests.
 *   <li>At most {@link Settings#maxConcurrentRequests} requests are in the handler at once (each
 *       may need a function instance, as with Lambda's concurrency); only whole requests wait for
 *       a turn, never a connection still sending.
 *   <li>HTTP/1.1 keep-alive (HTTP/1.0 only on request), TCP_NODELAY, {@code Expect: 100-continue},
 *       chunked request bodies, HEAD answered without a body; requests are read by
 *       {@link LocalHttpRequestReader}.
 *   <li>Every answer the server makes itself goes through {@link Handler#answer}: JSON, never a
 *       class name. After one the connection is closed (its input cannot be trusted to be at a
 *       request boundary), after draining what the client still sends for a moment, so it reads
 *       the answer rather than a reset.
 * </ul>
 */
final class LocalHttpServer implements AutoCloseable {

    /**
     * @param maxConnections open connections at most; more are answered 503 and closed
     * @param maxConcurrentRequests requests in the handler at once
     * @param requestTimeout how long a request may take to arrive, from its first byte (for a new
     *     connection: from the accept)
     * @param idleTimeout how long a kept-alive connection may wait for its next request
     * @param maxHeaderBytes the request line and header values together (API Gateway: 10240 bytes)
     * @param maxBodyBytes the request body (API Gateway: 10 MB)
     */
    record Settings(int maxConnections, int maxConcurrentRequests, Duration requestTimeout, Duration idleTimeout,
                    int maxHeaderBytes, int maxBodyBytes) {

        Settings {
            if (maxConnections < 1 || maxConcurrentRequests < 1 || maxHeaderBytes < 1 || maxBodyBytes < 0) {
                throw new IllegalArgumentException("HTTP server limits must be positive");
            }
            if (requestTimeout.isNegative() || requestTimeout.isZero() || idleTimeout.isNegative()
                    || idleTimeout.isZero()) {
                throw new IllegalArgumentException("HTTP server timeouts must be positive");
            }
        }

        static Settings defaults() {
            return new Settings(1024, 16, Duration.ofSeconds(10), Duration.ofSeconds(30), 10_240, 10 * 1024 * 1024);
        }

        Settings withMaxConnections(int value) {
            return new Settings(value, maxConcurrentRequests, requestTimeout, idleTimeout, maxHeaderBytes, maxBodyBytes);
        }

        Settings withMaxConcurrentRequests(int value) {
            return new Settings(maxConnections, value, requestTimeout, idleTimeout, maxHeaderBytes, maxBodyBytes);
        }

        Settings withRequestTimeout(Duration value) {
            return new Settings(maxConnections, maxConcurrentRequests, value, idleTimeout, maxHeaderBytes, maxBodyBytes);
        }

        Settings withIdleTimeout(Duration value) {
            return new Settings(maxConnections, maxConcurrentRequests, requestTimeout, value, maxHeaderBytes, maxBodyBytes);
        }
    }

    /** What serves the requests. */
    interface Handler {

        /** The answer to a well-formed request. An exception becomes {@code answer(500, ...)}. */
        LocalHttpResponse handle(LocalHttpRequest request);

        /** The server's own answer (a malformed request, a timeout, too many connections). */
        default LocalHttpResponse answer(int status, String message) {
            return LocalHttpResponse.message(status, message, List.of());
        }
    }

    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
    private static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH).withZone(ZoneOffset.UTC);
    /** After an answer of its own, how long the server reads and drops what the client still sends. */
    private static final long DRAIN_MILLIS = 1_000;
    private static final Map<Integer, String> REASONS = Map.ofEntries(
            Map.entry(200, "OK"), Map.entry(201, "Created"), Map.entry(202, "Accepted"), Map.entry(204, "No Content"),
            Map.entry(301, "Moved Permanently"), Map.entry(302, "Found"), Map.entry(304, "Not Modified"),
            Map.entry(400, "Bad Request"), Map.entry(401, "Unauthorized"), Map.entry(403, "Forbidden"),
            Map.entry(404, "Not Found"), Map.entry(405, "Method Not Allowed"), Map.entry(408, "Request Timeout"),
            Map.entry(409, "Conflict"), Map.entry(411, "Length Required"), Map.entry(413, "Content Too Large"),
            Map.entry(415, "Unsupported Media Type"), Map.entry(422, "Unprocessable Content"),
            Map.entry(429, "Too Many Requests"), Map.entry(431, "Request Header Fields Too Large"),
            Map.entry(500, "Internal Server Error"), Map.entry(501, "Not Implemented"), Map.entry(502, "Bad Gateway"),
            Map.entry(503, "Service Unavailable"), Map.entry(504, "Gateway Timeout"),
            Map.entry(505, "HTTP Version Not Supported"));

    private final ServerSocket serverSocket;
    private final Settings settings;
    private final Handler handler;
    private final ThreadPoolExecutor connectionThreads;
    private final Semaphore requestTurns;
    private final AtomicInteger connectionCount = new AtomicInteger();
    private final Set<Socket> openSockets = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean closed;

    private LocalHttpServer(ServerSocket serverSocket, Settings settings, Handler handler, String threadName) {
        this.serverSocket = serverSocket;
        this.settings = settings;
        this.handler = handler;
        this.requestTurns = new Semaphore(settings.maxConcurrentRequests(), true);
        AtomicInteger threadNumber = new AtomicInteger();
        this.connectionThreads = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), runnable -> {
                    Thread thread = new Thread(runnable, threadName + "-" + threadNumber.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        this.acceptor = new Thread(this::acceptLoop, threadName + "-accept");
        this.acceptor.setDaemon(true);
    }

    /** Listens on 127.0.0.1:port (0 = any free port) and serves until closed. */
    static LocalHttpServer start(int port, Settings settings, Handler handler, String threadName) {
        try {
            ServerSocket serverSocket = new ServerSocket();
            try {
                serverSocket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 256);
            } catch (IOException e) {
                serverSocket.close();
                throw e;
            }
            LocalHttpServer server = new LocalHttpServer(serverSocket, settings, handler, threadName);
            server.acceptor.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot listen on 127.0.0.1:" + port + " (" + e.getMessage() + ")", e);
        }
    }

    int port() {
        return serverSocket.getLocalPort();
    }

    @Override
    public void close() {
        closed = true;
        try {
            serverSocket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket socket : openSockets) {
            closeQuietly(socket);
        }
        connectionThreads.shutdown();
        try {
            acceptor.join(5_000);
            if (!connectionThreads.awaitTermination(5, TimeUnit.SECONDS)) {
                connectionThreads.shutdownNow();
            }
        } catch (InterruptedException e) {
            connectionThreads.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    // --- connections ----------------------------------------------------------------------------

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                if (!closed) {
                    pauseAfterAcceptFailure(); // e.g. out of file descriptors: do not spin
                }
                continue;
            }
            if (connectionCount.incrementAndGet() > settings.maxConnections()) {
                connectionCount.decrementAndGet();
                refuse(socket);
                continue;
            }
            openSockets.add(socket);
            try {
                connectionThreads.execute(() -> serve(socket));
            } catch (RejectedExecutionException | OutOfMemoryError e) {
                forget(socket);
                refuse(socket);
            }
        }
    }

    private static void pauseAfterAcceptFailure() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** 503 to a connection over the limit, written from the accept thread (a few bytes into an empty buffer). */
    private void refuse(Socket socket) {
        try (socket) {
            OutputStream out = socket.getOutputStream();
            write(out, handler.answer(503, "Service Unavailable"), false, false, "HTTP/1.1");
            socket.shutdownOutput();
        } catch (IOException | RuntimeException ignored) {
            // the client is gone; nothing to answer
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true); // separate head and body writes must not wait for a delayed ACK
            DeadlineInputStream in = new DeadlineInputStream(socket, 16 * 1024);
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
            LocalHttpRequestReader reader = new LocalHttpRequestReader(in, settings.maxHeaderBytes(),
                    settings.maxBodyBytes());
            InetSocketAddress remote = (InetSocketAddress) socket.getRemoteSocketAddress();
            InetSocketAddress local = (InetSocketAddress) socket.getLocalSocketAddress();
            in.deadlineIn(settings.requestTimeout());
            for (boolean first = true; !closed; first = false) {
                if (!first) {
                    in.deadlineIn(settings.idleTimeout());
                    try {
                        if (in.peek() < 0) {
                            return;
                        }
                    } catch (SocketTimeoutException idle) {
                        return;
                    }
                    in.deadlineIn(settings.requestTimeout());
                }
                LocalHttpRequest request;
                try {
                    request = reader.read(() -> {
                        out.write(CONTINUE);
                        out.flush();
                    });
                } catch (SocketTimeoutException timeout) {
                    if (reader.started()) {
                        write(out, handler.answer(408, "Request Timeout"), false, false, "HTTP/1.1");
                    }
                    return;
                } catch (LocalHttpException refused) {
                    write(out, handler.answer(refused.status(), refused.getMessage()), false, false, "HTTP/1.1");
                    drain(socket, in);
                    return;
                }
                if (request == null) {
                    return;
                }
                request = request.withAddresses(remote, local);
                boolean keepAlive = !closed && keepAlive(request);
                LocalHttpResponse response = respond(request);
                write(out, response, keepAlive, request.isHead(), request.version());
                if (!keepAlive) {
                    socket.shutdownOutput();
                    return;
                }
            }
        } catch (IOException | InterruptedException clientGoneOrClosing) {
            // nothing left to answer
        } finally {
            forget(socket);
        }
    }

    private LocalHttpResponse respond(LocalHttpRequest request) throws InterruptedException {
        requestTurns.acquire();
        try {
            return handler.handle(request);
        } catch (RuntimeException | Error e) {
            System.err.println("[local http] " + request.method() + " " + request.rawPath() + " failed: " + e);
            return handler.answer(500, "Internal Server Error");
        } finally {
            requestTurns.release();
        }
    }

    private void forget(Socket socket) {
        if (openSockets.remove(socket)) {
            connectionCount.decrementAndGet();
        }
    }

    private static boolean keepAlive(LocalHttpRequest request) {
        boolean close = false;
        boolean keepAlive = false;
        for (String value : request.values("Connection")) {
            for (String option : value.split(",")) {
                String token = LocalHttpRequestReader.stripOws(option).toLowerCase(Locale.ROOT);
                close |= token.equals("close");
                keepAlive |= token.equals("keep-alive");
            }
        }
        return !close && (request.version().equals("HTTP/1.1") || keepAlive);
    }

    /** Reads and drops what the client still sends, briefly, so that closing does not reset the answer away. */
    private static void drain(Socket socket, DeadlineInputStream in) {
        try {
            socket.shutdownOutput();
            in.deadlineIn(Duration.ofMillis(DRAIN_MILLIS));
            byte[] discard = new byte[16 * 1024];
            while (in.read(discard, 0, discard.length) >= 0) {
                // dropped
            }
        } catch (IOException timeoutOrGone) {
            // close now
        }
    }

    // --- answers --------------------------------------------------------------------------------

    private static void write(OutputStream out, LocalHttpResponse response, boolean keepAlive, boolean head,
                              String requestVersion) throws IOException {
        int status = response.status();
        StringBuilder text = new StringBuilder(256)
                .append("HTTP/1.1 ").append(status).append(' ').append(REASONS.getOrDefault(status, "")).append("\r\n")
                .append("Date: ").append(HTTP_DATE.format(Instant.now())).append("\r\n");
        for (Map.Entry<String, String> header : response.headers()) {
            text.append(header.getKey()).append(": ").append(header.getValue()).append("\r\n");
        }
        boolean hasBody = status != 204 && status != 304;
        if (hasBody) {
            text.append("Content-Length: ").append(response.body().length).append("\r\n");
        }
        if (!keepAlive) {
            text.append("Connection: close\r\n");
        } else if (requestVersion.equals("HTTP/1.0")) {
            text.append("Connection: keep-alive\r\n");
        }
        text.append("\r\n");
        out.write(text.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (hasBody && !head) {
            out.write(response.body());
        }
        out.flush();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
