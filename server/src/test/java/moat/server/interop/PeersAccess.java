package moat.server.interop;

/** Lets tests of other packages find a Debian peer tool the way the interop tests do. */
public final class PeersAccess {
    private PeersAccess() {}

    public static String require(String tool, String debianPackage) {
        return Peers.require(tool, debianPackage);
    }
}
