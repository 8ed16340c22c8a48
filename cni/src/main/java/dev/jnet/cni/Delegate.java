package dev.jnet.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a delegated plugin (IPAM) as libcni's invoke package does: found by type on CNI_PATH,
 * the caller's environment with CNI_COMMAND set, the network configuration on stdin. Its error
 * object comes back as a {@link CniException} with the plugin's own code.
 */
public final class Delegate {
    /** A delegated call may not hang its caller forever (dhcp waits for leases: a minute is generous). */
    private static final long TIMEOUT_S = 120;

    private final List<String> path;
    private final Map<String, String> env;

    public Delegate(List<String> path, Map<String, String> env) {
        this.path = path;
        this.env = env;
    }

    /** The plugin binary of {@code type} on CNI_PATH. */
    public Path find(String type) {
        if (type.isEmpty() || type.contains("/")) {
            throw new CniException(CniException.INVALID_NETWORK_CONFIG, "invalid plugin type \"" + type + "\"");
        }
        for (String d : path) {
            Path p = Path.of(d, type);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        throw new CniException(CniException.INVALID_NETWORK_CONFIG, "failed to find plugin \"" + type + "\" in path "
                + path);
    }

    /**
     * Runs {@code type} with {@code command} and config {@code conf}: its result (null when it
     * printed nothing, as DEL, CHECK, STATUS and GC do).
     */
    public JsonNode exec(String type, String command, ObjectNode conf) {
        Path bin = find(type);
        byte[] stdin;
        try {
            stdin = BridgeConf.JSON.writeValueAsBytes(conf);
        } catch (IOException e) {
            throw new CniException(CniException.INTERNAL, "encoding config for " + type + ": " + e.getMessage());
        }
        ProcessBuilder pb = new ProcessBuilder(bin.toString());
        pb.environment().clear();
        pb.environment().putAll(env);
        pb.environment().put("CNI_COMMAND", command);
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new CniException(CniException.IO_FAILURE, "failed to run plugin \"" + type + "\": " + e.getMessage());
        }
        byte[] out;
        int rc;
        try {
            try (OutputStream o = p.getOutputStream()) {
                o.write(stdin);
            } catch (IOException e) {
                // the plugin may exit without reading: its status says why
            }
            out = readAll(p.getInputStream());
            if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new CniException(CniException.TRY_AGAIN_LATER, "plugin \"" + type + "\" did not finish "
                        + command + " within " + TIMEOUT_S + " s");
            }
            rc = p.exitValue();
        } catch (IOException e) {
            p.destroyForcibly();
            throw new CniException(CniException.IO_FAILURE, "reading plugin \"" + type + "\" output: " + e.getMessage());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CniException(CniException.INTERNAL, "interrupted waiting for plugin \"" + type + "\"");
        }
        String text = new String(out, StandardCharsets.UTF_8).strip();
        if (rc != 0) {
            throw errorOf(type, rc, text);
        }
        if (text.isEmpty()) {
            return null;
        }
        try {
            return BridgeConf.JSON.readTree(text);
        } catch (IOException e) {
            throw new CniException(CniException.DECODING_FAILURE, "failed to decode result of plugin \"" + type + "\"",
                    text);
        }
    }

    /** A failed plugin's error object as an exception with its code; text that is no error object as code 999. */
    static CniException errorOf(String type, int rc, String text) {
        try {
            JsonNode e = BridgeConf.JSON.readTree(text);
            if (e != null && e.isObject() && e.has("code")) {
                return new CniException(e.path("code").asInt(CniException.INTERNAL), e.path("msg").asText(""),
                        e.path("details").asText(""));
            }
        } catch (IOException ignored) {
            // not JSON: reported below
        }
        return new CniException(CniException.INTERNAL, "plugin \"" + type + "\" failed (status " + rc + ")"
                + (text.isEmpty() ? "" : ": " + text));
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        in.transferTo(b);
        return b.toByteArray();
    }
}
