package moat.core;

/** RFC 3463 enhanced mail system status code {@code class.subject.detail}, e.g. 5.7.1. */
public record EnhancedStatus(int klass, int subject, int detail) {
    public EnhancedStatus {
        if (klass != 2 && klass != 4 && klass != 5) throw new IllegalArgumentException("class must be 2, 4 or 5");
        if (subject < 0 || subject > 999 || detail < 0 || detail > 999)
            throw new IllegalArgumentException("subject/detail out of range");
    }

    /** Parses {@code "5.7.1"}. */
    public static EnhancedStatus of(String s) {
        String[] p = s.split("\\.");
        if (p.length != 3) throw new IllegalArgumentException("not an enhanced status: " + s);
        return new EnhancedStatus(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]));
    }

    @Override
    public String toString() {
        return klass + "." + subject + "." + detail;
    }
}
