package moat.store;

/** A store invariant the admin must see (unknown domain, duplicate user), or a broken store. */
public class StoreException extends RuntimeException {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
