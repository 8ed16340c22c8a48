package dev.jnet.netns;

/** A namespace appeared or went away ({@code ip netns monitor} prints "add NAME" / "delete NAME"). */
public record NetnsEvent(Type type, String name) {
    public enum Type {
        ADD("add"),
        DELETE("delete");

        private final String word;

        Type(String word) {
            this.word = word;
        }

        /** The word {@code ip netns monitor} uses. */
        public String word() {
            return word;
        }
    }
}
