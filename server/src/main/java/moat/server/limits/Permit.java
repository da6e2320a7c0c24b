package moat.server.limits;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One admitted connection's share of the counters. Closing it gives the share back; closing
 * twice is harmless, so a listener can close it both in its normal path and in a finally block.
 */
public final class Permit implements AutoCloseable {
    private final ConnectionGate gate;
    private final ConnectionGate.Client client;
    private final AtomicBoolean released = new AtomicBoolean();

    Permit(ConnectionGate gate, ConnectionGate.Client client) {
        this.gate = gate;
        this.client = client;
    }

    @Override
    public void close() {
        if (released.compareAndSet(false, true)) gate.release(client);
    }
}
