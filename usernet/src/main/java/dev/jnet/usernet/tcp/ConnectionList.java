package dev.jnet.usernet.tcp;

/**
 * An intrusive FIFO of connections (links live in {@link TcpConnection}), so the oldest
 * embryonic or TIME_WAIT entry is found and unlinked in O(1). A connection is in at most one
 * list at a time.
 */
final class ConnectionList {
    private TcpConnection head;
    private TcpConnection tail;
    private int size;

    void addLast(TcpConnection c) {
        c.list = this;
        c.prev = tail;
        c.next = null;
        if (tail == null) {
            head = c;
        } else {
            tail.next = c;
        }
        tail = c;
        size++;
    }

    void remove(TcpConnection c) {
        if (c.list != this) {
            return;
        }
        if (c.prev == null) {
            head = c.next;
        } else {
            c.prev.next = c.next;
        }
        if (c.next == null) {
            tail = c.prev;
        } else {
            c.next.prev = c.prev;
        }
        c.prev = null;
        c.next = null;
        c.list = null;
        size--;
    }

    TcpConnection oldest() {
        return head;
    }

    int size() {
        return size;
    }
}
