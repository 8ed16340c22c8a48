package dev.jnet.netns;

/** iproute2's rule for namespace names: they become file names in one directory. */
public final class NetnsNames {
    /** NAME_MAX: the longest file name Linux allows. */
    public static final int MAX_LENGTH = 255;

    private NetnsNames() {}

    public static boolean isValid(String name) {
        return name != null
                && !name.isEmpty()
                && name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= MAX_LENGTH
                && !name.equals(".")
                && !name.equals("..")
                && name.indexOf('/') < 0
                && name.indexOf('\0') < 0;
    }

    /** Throws {@code Invalid netns name "NAME"} for names iproute2 would refuse. */
    public static String requireValid(String name) {
        if (!isValid(name)) {
            throw NetnsException.invalidName(name == null ? "" : name);
        }
        return name;
    }
}
