package dev.descent.cli;

import dev.descent.io.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The rule that a resumed run keeps its configuration: the effective settings of the continued
 * run, key by key, must equal those saved with the checkpoint, so that one metrics file never
 * mixes two configurations and the continuation is bit for bit the uninterrupted run. Only the
 * step count may grow (extending a finished run). Works on the maps of effective settings by
 * option name, whatever builds them.
 */
final class ResumeCheck {
    private ResumeCheck() {}

    /** The settings a resumed run may change. */
    static final Set<String> MAY_CHANGE = Set.of("steps");

    /** The differences between {@code saved} and {@code now}, as {@code --key NOW (the run has SAVED)}, by key. */
    static List<String> changes(Map<String, Object> saved, Map<String, Object> now) {
        List<String> out = new ArrayList<>();
        Set<String> keys = new TreeSet<>(saved.keySet());
        keys.addAll(now.keySet());
        for (String k : keys) {
            if (MAY_CHANGE.contains(k)) continue;
            String a = saved.containsKey(k) ? Json.writeObject(saved.get(k)) : null, b = now.containsKey(k) ? Json.writeObject(now.get(k)) : null;
            if (a == null ? b == null : a.equals(b)) continue;
            out.add("--" + k + " " + (b == null ? "(unset)" : b) + " (the run has " + (a == null ? "it unset" : a) + ")");
        }
        return out;
    }

    /**
     * @throws CommandFailure listing what differs, saying how to continue or fork
     */
    static void requireSameConfiguration(String source, Map<String, Object> saved, Map<String, Object> now) {
        List<String> c = changes(saved, now);
        if (c.isEmpty()) return;
        throw new CommandFailure("a resumed run keeps its configuration, but " + String.join(", ", c) + " differs from " + source
                + "; drop the option to continue bit for bit, or start a new run with --config and --out (only --steps may change)");
    }
}
