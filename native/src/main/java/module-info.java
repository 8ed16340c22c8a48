/**
 * jnet's Linux system calls through JNA, and the jnet-helper program (a resource of {@code
 * dev.jnet.linux}, read by its own module). One package, all of it API: the namespace library,
 * the CLI and the tests call it. JNA's {@code Pointer} is part of the API: JNA is required
 * transitively (an automatic module: its jar names itself {@code com.sun.jna}).
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.jnet.linux {
    requires transitive com.sun.jna;

    exports dev.jnet.linux;
}
