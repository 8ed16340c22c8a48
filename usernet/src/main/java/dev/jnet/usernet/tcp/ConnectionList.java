package dev.jnet.usernet.tcp;

/**
 * An intrusive FIFO of connections, so the oldest embryonic or TIME_WAIT entry is found and
 * unlinked in O(1). The links live in {@link Node}, which {@link TcpConnection} extends; only
 * this class touches them. A connection is in at most one list at a time.
 */
final class ConnectionList {
    /** The links of one list member; private to the list. */
    abstract static class Node {
        private ConnectionList list;
        private Node prev;
        private Node next;
    }

    private Node head;
    private Node tail;
    private int size;

    /** Takes {@code c} out of whatever list holds it, if any. */
    static void unlink(Node c) {
        if (c.list != null) {
            c.list.remove(c);
        }
    }

    void addLast(Node c) {
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

    void remove(Node c) {
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
        return (TcpConnection) head;
    }

    int size() {
        return size;
    }
}
