package dev.jnet.it;

import java.util.List;

/** Parsing of the few command outputs the tests read. */
final class Outputs {
    private Outputs() {}

    /** Interface names from {@code ip -o link} ("1: lo: <LOOPBACK> ..."; "veth0@if2" is veth0). */
    static List<String> linkNames(Proc.Result ipOLink) {
        return ipOLink.stdoutLines().stream()
                .map(l -> l.split(": ", 3))
                .filter(f -> f.length >= 2)
                .map(f -> f[1].contains("@") ? f[1].substring(0, f[1].indexOf('@')) : f[1])
                .toList();
    }

    /** Names of {@code ip netns list} / {@code jnet netns list} lines ("NAME" or "NAME (id: N)"). */
    static List<String> listedNames(Proc.Result list) {
        return list.stdoutLines().stream()
                .map(l -> l.contains(" (id: ") ? l.substring(0, l.indexOf(" (id: ")) : l)
                .toList();
    }

    /** The JSON object {@code ip -j netns list} writes for a namespace. */
    static String jsonEntry(String name, Integer id) {
        return "{\"name\":\"" + name + "\"" + (id == null ? "" : ",\"id\":" + id) + "}";
    }
}
