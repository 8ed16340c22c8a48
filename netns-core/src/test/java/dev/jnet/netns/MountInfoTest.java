package dev.jnet.netns;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class MountInfoTest {
    private static final String ROOT = "22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw";
    private static final String RUN = "25 22 0:21 / /run rw,nosuid shared:5 - tmpfs tmpfs rw";

    @Test
    void plainDirectoryIsNotAMountPoint() {
        assertThat(MountInfo.isSharedMountPoint(List.of(ROOT, RUN), Path.of("/run/netns"))).isFalse();
    }

    @Test
    void sharedBindMountIsRecognised() {
        String bind = "40 25 0:21 /netns /run/netns rw,nosuid shared:12 - tmpfs tmpfs rw";
        assertThat(MountInfo.isSharedMountPoint(List.of(ROOT, RUN, bind), Path.of("/run/netns"))).isTrue();
    }

    @Test
    void privateMountPointIsNotShared() {
        String bind = "40 25 0:21 /netns /run/netns rw,nosuid - tmpfs tmpfs rw";
        assertThat(MountInfo.isSharedMountPoint(List.of(ROOT, RUN, bind), Path.of("/run/netns"))).isFalse();
    }

    @Test
    void topmostMountDecides() {
        String shared = "40 25 0:21 /netns /run/netns rw shared:12 - tmpfs tmpfs rw";
        String slaveOnTop = "41 40 0:21 /netns /run/netns rw master:12 - tmpfs tmpfs rw";
        assertThat(MountInfo.isSharedMountPoint(List.of(shared, slaveOnTop), Path.of("/run/netns"))).isFalse();
        assertThat(MountInfo.isSharedMountPoint(List.of(slaveOnTop, shared), Path.of("/run/netns"))).isTrue();
    }

    @Test
    void escapedSpacesInMountPointsAreDecoded() {
        String line = "40 25 0:21 /x /run/my\\040netns rw shared:3 - tmpfs tmpfs rw";
        assertThat(MountInfo.isSharedMountPoint(List.of(line), Path.of("/run/my netns"))).isTrue();
    }

    @Test
    void fstypeFieldsAfterSeparatorAreNotPropagationTags() {
        String line = "40 25 0:21 /x /run/netns rw - tmpfs shared:9 rw";
        assertThat(MountInfo.isSharedMountPoint(List.of(line), Path.of("/run/netns"))).isFalse();
    }
}
