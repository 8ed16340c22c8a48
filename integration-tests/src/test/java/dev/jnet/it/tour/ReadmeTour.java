package dev.jnet.it.tour;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The README's runnable blocks: an indented code block right after a {@code <!-- tour -->} line,
 * as a transcript. {@code $ CMD} (a trailing backslash continues it on the next line) is a command;
 * the lines under it are what it prints, stdout and stderr together; {@code ...} in a line stands
 * for any characters, a line of just {@code ...} for any number of lines;
 * {@code (exit N)} at the end of the last line (or alone) is its status, 0 when not shown.
 */
public final class ReadmeTour {
    public static final String MARKER = "<!-- tour -->";
    /** A block run as the unprivileged test user (rootless jnet). */
    public static final String USER_MARKER = "<!-- tour: user -->";
    private static final Pattern EXIT = Pattern.compile("^(.*?)\\s*\\(exit (\\d+)\\)$");

    private ReadmeTour() {}

    /** One command of the transcript and what it must do. */
    public record Step(String command, List<String> expected, int exit) {
        /** Whether {@code output} (its lines) and {@code status} are what the README shows. */
        public boolean matches(List<String> output, int status) {
            return status == exit && ReadmeTour.matches(expected, stripped(output));
        }
    }

    /** The steps of every block marked {@link #MARKER}, in the README's order. */
    public static List<List<Step>> parse(String readme) {
        return parse(readme, MARKER);
    }

    /** The steps of every block marked {@code marker}, in the README's order. */
    public static List<List<Step>> parse(String readme, String marker) {
        List<List<Step>> blocks = new ArrayList<>();
        List<String> lines = readme.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).strip().equals(marker)) {
                continue;
            }
            int j = i + 1;
            while (j < lines.size() && lines.get(j).isBlank()) {
                j++;
            }
            List<String> block = new ArrayList<>();
            while (j < lines.size() && (lines.get(j).startsWith("    ") || lines.get(j).isBlank())) {
                block.add(lines.get(j).isBlank() ? "" : lines.get(j).substring(4));
                j++;
            }
            blocks.add(steps(block));
            i = j - 1;
        }
        return blocks;
    }

    private static List<Step> steps(List<String> block) {
        List<Step> steps = new ArrayList<>();
        int i = 0;
        while (i < block.size()) {
            String line = block.get(i);
            if (line.isBlank()) {
                i++;
                continue;
            }
            if (!line.startsWith("$ ")) {
                throw new IllegalArgumentException("tour block: output before any command: " + line);
            }
            StringBuilder cmd = new StringBuilder(line.substring(2));
            while (cmd.toString().endsWith("\\") && i + 1 < block.size()) {
                cmd.append('\n').append(block.get(++i));
            }
            i++;
            List<String> expected = new ArrayList<>();
            while (i < block.size() && !block.get(i).startsWith("$ ")) {
                expected.add(block.get(i).stripTrailing());
                i++;
            }
            while (!expected.isEmpty() && expected.get(expected.size() - 1).isEmpty()) {
                expected.remove(expected.size() - 1);
            }
            int exit = 0;
            if (!expected.isEmpty()) {
                Matcher m = EXIT.matcher(expected.get(expected.size() - 1));
                if (m.matches()) {
                    exit = Integer.parseInt(m.group(2));
                    expected.remove(expected.size() - 1);
                    if (!m.group(1).isEmpty()) {
                        expected.add(m.group(1));
                    }
                }
            }
            steps.add(new Step(cmd.toString(), List.copyOf(expected), exit));
        }
        return steps;
    }

    private static List<String> stripped(List<String> lines) {
        List<String> out = new ArrayList<>();
        lines.forEach(l -> out.add(l.stripTrailing()));
        return out;
    }

    /** {@code actual} against {@code expected} with its {@code ...} wildcards. */
    static boolean matches(List<String> expected, List<String> actual) {
        if (expected.isEmpty()) {
            return actual.isEmpty();
        }
        String e = expected.get(0);
        List<String> restE = expected.subList(1, expected.size());
        if (e.equals("...")) {
            for (int k = 0; k <= actual.size(); k++) {
                if (matches(restE, actual.subList(k, actual.size()))) {
                    return true;
                }
            }
            return false;
        }
        if (actual.isEmpty()) {
            return false;
        }
        String a = actual.get(0);
        return glob(e).matcher(a).matches() && matches(restE, actual.subList(1, actual.size()));
    }

    /** An expected line as a pattern: {@code ...} for any characters, the rest literal. */
    static Pattern glob(String line) {
        StringBuilder re = new StringBuilder();
        String[] parts = line.split("\\.\\.\\.", -1);
        for (int i = 0; i < parts.length; i++) {
            re.append(i > 0 ? ".*" : "").append(Pattern.quote(parts[i]));
        }
        return Pattern.compile(re.toString());
    }
}
