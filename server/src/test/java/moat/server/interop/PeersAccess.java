package moat.server.interop;

/** Lets tests of other packages find a Debian peer tool the way the interop tests do. */
public final class PeersAccess {
    private PeersAccess() {}

    public static String require(String tool, String debianPackage) {
        return Peers.require(tool, debianPackage);
    }

    /** curl built with the given protocols (fails naming the package otherwise). */
    public static String requireCurlWith(String... protocols) {
        return Peers.requireCurlWith(protocols);
    }

    /** swaks that can do TLS (fails naming libnet-ssleay-perl otherwise). */
    public static String requireSwaksWithTls() {
        return Peers.requireSwaksWithTls();
    }
}
