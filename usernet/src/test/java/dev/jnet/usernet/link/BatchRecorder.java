package dev.jnet.usernet.link;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/** A handler that notes batch brackets and frames (by their first int) in order, releasing each frame. */
final class BatchRecorder implements FrameHandler {
    final List<String> events = new ArrayList<>();

    @Override
    public void receiveFrame(ByteBuf frame) {
        events.add("frame " + frame.getInt(frame.readerIndex()));
        frame.release();
    }

    @Override
    public void startOfBatch() {
        events.add("start");
    }

    @Override
    public void endOfBatch() {
        events.add("end");
    }
}
