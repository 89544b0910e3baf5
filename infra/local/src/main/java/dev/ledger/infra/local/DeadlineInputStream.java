package dev.ledger.infra.local;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * A socket's input, buffered, where every read must finish by one deadline: before each read
 * from the socket SO_TIMEOUT is set to the time left, so a client that sends a byte now and then
 * cannot stretch a request past it. Past the deadline a read throws {@link SocketTimeoutException}.
 */
final class DeadlineInputStream extends InputStream {

    private final Socket socket;
    private final InputStream raw;
    private final byte[] buffer;
    private int position;
    private int limit;
    private long deadline;

    DeadlineInputStream(Socket socket, int bufferSize) throws IOException {
        this.socket = socket;
        this.raw = socket.getInputStream();
        this.buffer = new byte[bufferSize];
    }

    /** Reads from now on must be done within this long. */
    void deadlineIn(Duration timeout) {
        deadline = System.nanoTime() + timeout.toNanos();
    }

    /** The next byte without taking it; -1 at the end of the stream. */
    int peek() throws IOException {
        if (position == limit && !fill()) {
            return -1;
        }
        return buffer[position] & 0xff;
    }

    @Override
    public int read() throws IOException {
        if (position == limit && !fill()) {
            return -1;
        }
        return buffer[position++] & 0xff;
    }

    @Override
    public int read(byte[] target, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        if (position == limit) {
            if (length >= buffer.length) {
                arm();
                return raw.read(target, offset, length);
            }
            if (!fill()) {
                return -1;
            }
        }
        int count = Math.min(length, limit - position);
        System.arraycopy(buffer, position, target, offset, count);
        position += count;
        return count;
    }

    @Override
    public int available() {
        return limit - position;
    }

    private boolean fill() throws IOException {
        arm();
        int read = raw.read(buffer, 0, buffer.length);
        if (read < 0) {
            return false;
        }
        position = 0;
        limit = read;
        return true;
    }

    private void arm() throws IOException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException("deadline passed");
        }
        socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000)));
    }
}
