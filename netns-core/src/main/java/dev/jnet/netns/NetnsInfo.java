package dev.jnet.netns;

import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * One entry of {@link NetnsManager#list()}.
 *
 * @param name the namespace's name
 * @param path the file that holds it open ({@code /proc/PID/ns/net} of the holder when rootless)
 * @param nsid the id the caller's namespace assigned to it, if any ({@code ip netns list}'s "id: N")
 * @param usable false when the entry is a leftover that holds no namespace (an interrupted
 *     add, or a rootless holder that is gone); {@code del} removes it
 */
public record NetnsInfo(String name, Path path, OptionalInt nsid, boolean usable) {}
