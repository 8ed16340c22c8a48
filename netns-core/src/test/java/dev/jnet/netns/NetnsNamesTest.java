package dev.jnet.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NetnsNamesTest {
    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "a/b", "/", "a\0b"})
    void refusesWhatIproute2Refuses(String name) {
        assertThat(NetnsNames.isValid(name)).isFalse();
        assertThatThrownBy(() -> NetnsNames.requireValid(name))
                .isInstanceOfSatisfying(NetnsException.class,
                        e -> assertThat(e.kind()).isEqualTo(NetnsException.Kind.INVALID_ARGUMENT))
                .hasMessage("Invalid netns name \"" + name + "\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "mynet", "...", ".hidden", "a b", "x-1_2"})
    void acceptsOrdinaryFileNames(String name) {
        assertThat(NetnsNames.requireValid(name)).isEqualTo(name);
    }

    @Property
    void lengthLimitIsNameMaxInBytes(@ForAll @StringLength(min = 250, max = 260) String raw) {
        String name = raw.replace('/', 'x').replace('\0', 'x').replaceAll("[^a-z]", "a");
        assertThat(NetnsNames.isValid(name)).isEqualTo(name.length() <= 255);
    }

    @Property
    void anyNameWithASlashIsInvalid(@ForAll String before, @ForAll String after) {
        assertThat(NetnsNames.isValid(before + "/" + after)).isFalse();
    }
}
